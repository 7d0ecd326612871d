import { ForbiddenError } from '@market/platform';
import type { DevOutboxRecord } from '../domain';
import type { DevOutboxRepository } from '../repositories/dev-outbox-repository';
import { normalizeEmail } from '../domain';

/**
 * Who may read the development outbox: nobody in production ('off'); in development only a client
 * on this machine ('loopback': the address the gateway saw, after TRUST_PROXY), since a dev server
 * reachable on a network would otherwise hand anyone every sign-up and reset code; in tests
 * anyone ('open'), as the suites read codes from many simulated addresses.
 */
export type DevOutboxAccess = 'off' | 'loopback' | 'open';

const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1|::ffff:127\.\d{1,3}\.\d{1,3}\.\d{1,3})$/;

/** Lets developers and tests read the codes the development mailer caught. Never in production. */
export class DevOutboxService {
  constructor(
    private readonly outbox: DevOutboxRepository,
    private readonly access: DevOutboxAccess,
  ) {}

  async messagesFor(email: string, client?: { ip: string | null }): Promise<DevOutboxRecord[]> {
    const access = this.access;
    if (access === 'off') throw new ForbiddenError('The development outbox is not available in production.');
    if (access === 'loopback' && !LOOPBACK.test(client?.ip ?? '')) {
      throw new ForbiddenError('The development outbox answers requests from this machine only.');
    }
    return this.outbox.listFor(normalizeEmail(email), 20);
  }
}
