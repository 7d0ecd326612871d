import https from 'node:https';
import tls from 'node:tls';
import webpush from 'web-push';
import { PermanentDeliveryError, type PushSender, type PushTarget } from './channels';

export interface VapidSettings {
  publicKey: string;
  privateKey: string;
  /** mailto: or https: contact the push services may use. */
  subject: string;
  /** Extra trusted CA certificates (PEM) for push services behind a private CA (a self-hosted relay). */
  ca?: string;
}

/**
 * Web Push (RFC 8030) with VAPID (RFC 8292) and an encrypted payload (RFC 8291), through the
 * `web-push` package. 404 and 410 mean the browser dropped the subscription: final, and the
 * subscription is forgotten; other 4xx are final; 429, 5xx and network errors are retried.
 */
export class WebPushSender implements PushSender {
  readonly kind = 'web-push';
  readonly publicKey: string;
  private readonly agent: https.Agent;

  constructor(private readonly vapid: VapidSettings) {
    this.publicKey = vapid.publicKey;
    this.agent = new https.Agent({ keepAlive: true, ...(vapid.ca ? { ca: [...tls.rootCertificates, vapid.ca] } : {}) });
  }

  async send(target: PushTarget, payload: string): Promise<void> {
    try {
      await webpush.sendNotification({ endpoint: target.endpoint, keys: { p256dh: target.p256dh, auth: target.auth } }, payload, {
        vapidDetails: { subject: this.vapid.subject, publicKey: this.vapid.publicKey, privateKey: this.vapid.privateKey },
        TTL: 24 * 3600,
        timeout: 10_000,
        agent: this.agent,
      });
    } catch (err) {
      const status = (err as { statusCode?: number }).statusCode;
      if (status === 404 || status === 410) throw new PermanentDeliveryError(`push subscription gone (${status})`, true);
      if (status !== undefined && status >= 400 && status < 500 && status !== 429)
        throw new PermanentDeliveryError(`push service ${status}`);
      throw err;
    }
  }
}
