import type { DevOutboxRepository } from '../repositories/dev-outbox-repository';
import type { EmailMessage, Mailer } from './mailer';

/**
 * Keeps messages in the accounts database's `dev_outbox` table instead of sending them, so a
 * developer (the devOutbox query, in development and test only) or a test can read the code.
 */
export class DevOutboxMailer implements Mailer {
  readonly kind = 'dev-outbox';

  constructor(private readonly outbox: DevOutboxRepository) {}

  async send(message: EmailMessage): Promise<void> {
    await this.outbox.add({ channel: 'EMAIL', recipient: message.to, subject: message.subject, body: message.text });
  }

  async close(): Promise<void> {}
}
