import { PermanentDeliveryError, type SmsSender } from './channels';

export interface TwilioSettings {
  /** The API's base URL: https://api.twilio.com, or a compatible provider's. */
  baseUrl: string;
  accountSid: string;
  authToken: string;
  from: string;
  timeoutMs?: number;
}

/**
 * SMS through Twilio's Messages API (and providers that copy it): POST
 * {base}/2010-04-01/Accounts/{sid}/Messages.json, form-encoded To/From/Body, HTTP basic auth.
 * 4xx answers other than 429 are final (a bad number, a blocked recipient); 429, 5xx and network
 * errors are retried by the delivery job.
 */
export class TwilioSmsSender implements SmsSender {
  readonly kind = 'twilio';

  constructor(private readonly settings: TwilioSettings) {}

  async send(to: string, body: string): Promise<void> {
    const { baseUrl, accountSid, authToken, from } = this.settings;
    const res = await fetch(`${baseUrl.replace(/\/$/, '')}/2010-04-01/Accounts/${encodeURIComponent(accountSid)}/Messages.json`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ To: to, From: from, Body: body }).toString(),
      signal: AbortSignal.timeout(this.settings.timeoutMs ?? 10_000),
    });
    if (res.ok) return;
    const detail = (await res.text().catch(() => '')).slice(0, 300);
    if (res.status >= 400 && res.status < 500 && res.status !== 429)
      throw new PermanentDeliveryError(`SMS provider ${res.status}: ${detail}`);
    throw new Error(`SMS provider ${res.status}: ${detail}`);
  }
}
