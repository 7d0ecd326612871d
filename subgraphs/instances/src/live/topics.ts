import { z } from 'zod';
import { defineTopic } from '@market/platform';
import { INSTANCE_STATUSES } from '../domain';

/**
 * What instances publishes live (pub/sub, for subscriptions: at-most-once, after the commit, each
 * with the cursor its catch-up query resumes from), through InstanceFeed:
 * - instances.instanceLogLine, keyed by instance id: every stored log line (cursor: the line id);
 * - instances.instanceStatusChanged, keyed by instance id: the instance after each transition.
 * Bus events (instances.instance.<status> for every transition) go through the outbox in the
 * transaction of the change, from InstanceRepository.
 */
export const instanceLogLineTopic = defineTopic(
  'instances.instanceLogLine',
  z.object({ id: z.string(), instanceId: z.string(), stream: z.enum(['STDOUT', 'STDERR']), line: z.string(), at: z.coerce.date() }),
);

export const instanceStatusTopic = defineTopic(
  'instances.instanceStatusChanged',
  z.object({
    id: z.string(),
    machineId: z.string(),
    machineVersion: z.number().int(),
    restartCount: z.number().int(),
    ownerId: z.string(),
    status: z.enum(INSTANCE_STATUSES),
    host: z.string(),
    port: z.number().int(),
    driver: z.enum(['DOCKER', 'PROCESS']),
    runtimeRef: z.string().nullable(),
    failureReason: z.string().nullable(),
    exitCode: z.number().int().nullable(),
    startedAt: z.coerce.date().nullable(),
    stoppedAt: z.coerce.date().nullable(),
    removedAt: z.coerce.date().nullable(),
    statusChangedAt: z.coerce.date(),
    uptimeMs: z.number(),
    downtimeMs: z.number(),
    deleteVolume: z.boolean(),
    releasedAt: z.coerce.date().nullable(),
    createdAt: z.coerce.date(),
    updatedAt: z.coerce.date(),
  }),
);
