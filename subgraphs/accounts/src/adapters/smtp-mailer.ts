import { loadOptionalModule, type Logger } from '@market/platform';
import type { EmailMessage, Mailer } from './mailer';

/**
 * The part of nodemailer's API (v10) this adapter uses. nodemailer is loaded only when SMTP_URL is
 * set, so embedded mode and tests do not need it installed.
 */
interface NodemailerTransport {
  sendMail(mail: { from: string; to: string; subject: string; text: string }): Promise<unknown>;
  verify(): Promise<true>;
  close(): void;
}
interface NodemailerModule {
  createTransport(url: string): NodemailerTransport;
}

/** Sends through an SMTP server given as a URL (smtps://user:pass@host:465, smtp://host:587). */
export class SmtpMailer implements Mailer {
  readonly kind = 'smtp';

  private constructor(
    private readonly transport: NodemailerTransport,
    private readonly from: string,
  ) {}

  /**
   * Checks the server once at start-up, so a wrong URL or password shows in the logs at deploy time
   * rather than at the first sign-up; an unreachable server does not stop the service (it may recover).
   */
  static async connect(url: string, from: string, logger: Logger): Promise<SmtpMailer> {
    const nodemailer = await loadOptionalModule<NodemailerModule>('nodemailer', 'SMTP_URL');
    const transport = nodemailer.createTransport(url);
    await transport.verify().catch((err: unknown) => logger.error({ err }, 'the SMTP server at SMTP_URL did not accept a connection'));
    return new SmtpMailer(transport, from);
  }

  async send(message: EmailMessage): Promise<void> {
    await this.transport.sendMail({ from: this.from, to: message.to, subject: message.subject, text: message.text });
  }

  async close(): Promise<void> {
    this.transport.close();
  }
}
