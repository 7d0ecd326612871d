/**
 * The ports notifications leave through. Production adapters: SMTP (nodemailer), a Twilio-compatible
 * HTTP API, Web Push (VAPID); development, embedded mode and tests without a provider: the
 * development outbox (dev_outbox), readable with `devNotificationOutbox`.
 */
export interface EmailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** RFC 8058 one-click unsubscribe, when the mail has one. */
  unsubscribeUrl?: string;
}

export interface PushTarget {
  endpoint: string;
  p256dh: string;
  auth: string;
}

export interface EmailSender {
  readonly kind: string;
  send(message: EmailMessage, userId: string): Promise<void>;
  close(): Promise<void>;
}

export interface SmsSender {
  readonly kind: string;
  send(to: string, body: string, userId: string): Promise<void>;
}

export interface PushSender {
  readonly kind: string;
  /** The VAPID public key browsers subscribe with (null when push is not configured). */
  readonly publicKey: string | null;
  send(target: PushTarget, payload: string, userId: string): Promise<void>;
}

export interface Channels {
  email: EmailSender;
  sms: SmsSender;
  push: PushSender;
}

/**
 * A provider refused for good (a bad address, an unknown number, a push subscription that is gone):
 * retrying cannot help, so the delivery is recorded as FAILED at once. Anything else is retried.
 */
export class PermanentDeliveryError extends Error {
  constructor(
    message: string,
    /** The push subscription no longer exists (HTTP 404/410): forget it. */
    readonly gone = false,
  ) {
    super(message);
    this.name = 'PermanentDeliveryError';
  }
}
