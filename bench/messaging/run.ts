/**
 * Messaging benchmark: messages per second end to end and send → `inboxUpdated` latency, with N
 * users connected through the real gateway (six subgraphs, a real PostgreSQL), each on one socket
 * with the one inbox-wide subscription a real client keeps open.
 *
 *   node -r @swc-node/register bench/messaging/run.ts [--users 1000] [--group 20] [--rate 20]
 *        [--duration 20] [--concurrency 16] [--burst 20]
 *
 * Three processes, as in bench/subscriptions: this one runs the six subgraphs (bench/harness.ts,
 * in-process pub/sub and event bus as in embedded mode), a forked gateway
 * (bench/subscriptions/gateway-process.ts), and a forked client process (clients-process.ts) that
 * opens the sockets, sends the messages and times each delivery against its own send time.
 *
 * Users are N ids made known to messaging (written into its copy of users, as accounts' events
 * would) and signed in with tokens from the run's own key; they are split into groups of --group
 * members, one conversation each; one member per group sends. Two phases:
 *   1. paced: --rate messages per second in total (round robin over the groups) for --duration s:
 *      latency from send to each member's MESSAGE_ADDED on `inboxUpdated` (p50/p90/p99);
 *   2. throughput: --concurrency closed-loop senders for --burst s: messages accepted per second
 *      (sendMessage answered), inbox updates delivered per second, and their latency under that load.
 * The per-user write limit is raised for the run (a sender here sends far more than 30 per 10 s).
 * Databases bench_<run>_<domain> on BENCH_POSTGRES_URL are created, migrated, and dropped at the end.
 */
import '../sources';
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { Client as PgClient } from 'pg';
import { createLogger, MemoryPubSub } from '@market/platform';
import { forkGateway, forkHelper, log, withBenchStack } from '../harness';
import type { GatewayMeasurement, GatewayRequest } from '../subscriptions/gateway-process';
import type { ClientsRequest, Member, PacedResult, Sender, ThroughputResult } from './clients-process';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? (process.argv[i + 1] as string) : fallback;
}
const USERS = Number(arg('users', '1000'));
const GROUP = Number(arg('group', '20'));
const RATE = Number(arg('rate', '20'));
const DURATION_S = Number(arg('duration', '20'));
const CONCURRENCY = Number(arg('concurrency', '16'));
const BURST_S = Number(arg('burst', '20'));

async function main() {
  const pubsub = new MemoryPubSub(createLogger('pubsub', 'silent'));
  const extraEnv = { DATABASE_POOL_SIZE: '20', RATE_LIMIT_SEND_MESSAGE: '10000/1s', RATE_LIMIT_START_CONVERSATION: '10000/1s' };
  let gateway: ReturnType<typeof forkHelper> | null = null;
  let clients: ReturnType<typeof forkHelper> | null = null;
  try {
    await withBenchStack({ extraEnv, pubsub }, async (bench) => {
      const { stack, urls, sign } = bench;
      try {
        const userIds = Array.from({ length: USERS }, () => randomUUID());
        const messagingDb = new PgClient({ connectionString: urls.messaging });
        await messagingDb.connect();
        await messagingDb.query(
          `INSERT INTO known_users (user_id, name, role, last_event_at) SELECT id, 'Bench user', 'BUYER', now() FROM unnest($1::uuid[]) AS u(id)`,
          [userIds],
        );
        await messagingDb.end();
        const tokens = await Promise.all(userIds.map(async (userId) => sign({ userId, role: 'BUYER', sessionId: randomUUID() })));

        const setupUrl = stack.url;
        const senders: Sender[] = [];
        for (let g = 0; g * GROUP < USERS; g++) {
          const members = userIds.slice(g * GROUP, (g + 1) * GROUP);
          if (members.length < 2) break;
          const res = await fetch(setupUrl, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens[g * GROUP]}` },
            body: JSON.stringify({
              query: `mutation($input: StartConversationInput!) { startConversation(input: $input) { ... on Conversation { id } } }`,
              variables: { input: { participantIds: members.slice(1), title: `Bench group ${g}` } },
            }),
          });
          const json = (await res.json()) as { data?: { startConversation?: { id?: string } } };
          const conversationId = json.data?.startConversation?.id;
          if (!conversationId) throw new Error(`startConversation failed: ${JSON.stringify(json)}`);
          senders.push({ token: tokens[g * GROUP] as string, conversationId, audience: members.length });
        }

        const forked = await forkGateway(bench);
        gateway = forked.gateway;
        const url = forked.url;
        clients = forkHelper(path.join(__dirname, 'clients-process.ts'), []);
        log(`${USERS} users in ${senders.length} groups of up to ${GROUP}; gateway ${url}`);

        const members: Member[] = tokens.map((token) => ({ token }));
        const connected = await clients.ask<{ ms: number; failed: number }>({
          type: 'connect',
          url,
          members,
          concurrency: 50,
        } satisfies ClientsRequest);
        const ready = await clients.ask<{ ms: number; silent: number }>({
          type: 'warmUp',
          senders,
          timeoutMs: 120_000,
        } satisfies ClientsRequest);
        const subscribed = await gateway.ask<GatewayMeasurement>({ type: 'measure', gc: false } satisfies GatewayRequest);
        log(
          `connected in ${connected.ms} ms (${connected.failed} failed); all subscribed after ${ready.ms} ms (${ready.silent} silent); gateway: ${subscribed.connections} connections`,
        );

        const load = () => os.loadavg()[0]!.toFixed(1);
        const loadBefore = load();
        const paced = await clients.ask<PacedResult>({
          type: 'paced',
          senders,
          rate: RATE,
          durationS: DURATION_S,
          graceMs: 20_000,
        } satisfies ClientsRequest);
        console.log(
          JSON.stringify({
            phase: 'paced',
            users: USERS,
            group: GROUP,
            messagesPerS: RATE,
            durationS: DURATION_S,
            ...paced,
            loadAverage1m: loadBefore,
          }),
        );
        const loadBurst = load();
        const burst = await clients.ask<ThroughputResult>({
          type: 'throughput',
          senders,
          concurrency: CONCURRENCY,
          durationS: BURST_S,
          graceMs: 30_000,
        } satisfies ClientsRequest);
        console.log(
          JSON.stringify({
            phase: 'throughput',
            users: USERS,
            group: GROUP,
            concurrency: CONCURRENCY,
            durationS: BURST_S,
            ...burst,
            loadAverage1m: loadBurst,
          }),
        );
        await clients.ask({ type: 'close' } satisfies ClientsRequest);
        log(`done (${os.cpus().length} CPUs, node ${process.version})`);
      } finally {
        await clients?.stop();
        await gateway?.stop({ type: 'stop' } satisfies GatewayRequest);
      }
    });
  } finally {
    await pubsub.close();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
