import { readFileSync } from 'node:fs';
import type { Logger } from '@market/platform';
import type { Db } from '../db';
import type { MessagingEnv } from '../env';
import type { Channels } from './channels';
import { devOutboxChannels } from './dev-outbox';
import { SmtpEmailSender } from './smtp-email';
import { TwilioSmsSender } from './twilio-sms';
import { WebPushSender } from './web-push';

/** Each channel through its provider when configured, else through the development outbox. */
export function channelsFor(env: MessagingEnv, db: Db, logger: Logger): Channels {
  const dev = devOutboxChannels(db, { pushPublicKey: env.VAPID_PUBLIC_KEY ?? null });
  return {
    email: env.SMTP_URL ? new SmtpEmailSender(env.SMTP_URL, env.MAIL_FROM, logger) : dev.email,
    sms:
      env.SMS_API_URL && env.SMS_ACCOUNT_SID && env.SMS_AUTH_TOKEN && env.SMS_FROM
        ? new TwilioSmsSender({
            baseUrl: env.SMS_API_URL,
            accountSid: env.SMS_ACCOUNT_SID,
            authToken: env.SMS_AUTH_TOKEN,
            from: env.SMS_FROM,
          })
        : dev.sms,
    push:
      env.VAPID_PUBLIC_KEY && env.VAPID_PRIVATE_KEY
        ? new WebPushSender({
            publicKey: env.VAPID_PUBLIC_KEY,
            privateKey: env.VAPID_PRIVATE_KEY,
            subject: env.VAPID_SUBJECT,
            ...(env.PUSH_CA_FILE ? { ca: readFileSync(env.PUSH_CA_FILE, 'utf8') } : {}),
          })
        : dev.push,
  };
}
