import nodemailer, { type Transporter } from 'nodemailer';
import type { Logger } from '@market/platform';
import { PermanentDeliveryError, type EmailMessage, type EmailSender } from './channels';

/** E-mail over SMTP (SMTP_URL: smtp://host:587, smtps://user:pass@host:465), from templates (templates/email.ts). */
export class SmtpEmailSender implements EmailSender {
  readonly kind = 'smtp';
  private readonly transport: Transporter;

  constructor(
    url: string,
    private readonly from: string,
    logger: Logger,
  ) {
    this.transport = nodemailer.createTransport(url);
    // A wrong URL or password shows in the logs at start-up; the service still starts (the server may recover).
    this.transport.verify().catch((err: unknown) => logger.error({ err }, 'the SMTP server at SMTP_URL did not accept a connection'));
  }

  async send(message: EmailMessage): Promise<void> {
    try {
      await this.transport.sendMail({
        from: this.from,
        to: message.to,
        subject: message.subject,
        text: message.text,
        html: message.html,
        ...(message.unsubscribeUrl
          ? {
              list: { unsubscribe: { url: message.unsubscribeUrl, comment: 'Unsubscribe' } },
              headers: { 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
            }
          : {}),
      });
    } catch (err) {
      // 5xx SMTP replies (no such mailbox, refused) are final; connection problems and 4xx are not.
      const code = (err as { responseCode?: number }).responseCode;
      if (code !== undefined && code >= 500) throw new PermanentDeliveryError(`SMTP ${code}: ${(err as Error).message}`.slice(0, 400));
      throw err;
    }
  }

  async close(): Promise<void> {
    this.transport.close();
  }
}
