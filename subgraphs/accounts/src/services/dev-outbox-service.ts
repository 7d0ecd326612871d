import { ForbiddenError } from '@market/platform';
import type { DevOutboxRecord } from '../domain';
import type { DevOutboxRepository } from '../repositories/dev-outbox-repository';
import { normalizeEmail } from '../rules/email';

/** Lets developers and tests read the codes the development mailer caught. Never in production. */
export class DevOutboxService {
  constructor(
    private readonly outbox: DevOutboxRepository,
    private readonly enabled: boolean,
  ) {}

  async messagesFor(email: string): Promise<DevOutboxRecord[]> {
    if (!this.enabled) throw new ForbiddenError('The development outbox is not available in production.');
    return this.outbox.listFor(normalizeEmail(email), 20);
  }
}
