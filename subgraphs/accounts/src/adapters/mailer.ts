/** An e-mail to one person, plain text (codes and notices need nothing more). */
export interface EmailMessage {
  to: string;
  subject: string;
  text: string;
}

/** Sends e-mail: SMTP in production, the development outbox in embedded mode and tests. */
export interface Mailer {
  readonly kind: 'smtp' | 'dev-outbox';
  send(message: EmailMessage): Promise<void>;
  close(): Promise<void>;
}
