import type { Db } from '../db';
import type { Channels, EmailMessage, PushTarget } from './channels';

/**
 * Development and embedded mode: every channel writes what it would send to dev_outbox (with the
 * user it was for), readable with `devNotificationOutbox`; nothing leaves the machine.
 */
export function devOutboxChannels(db: Db, options: { pushPublicKey: string | null }): Channels {
  const write = async (userId: string, channel: string, recipient: string, subject: string | null, body: string) => {
    await db.devOutbox.create({ data: { userId, channel, recipient, subject, body }, select: { id: true } });
  };
  return {
    email: {
      kind: 'dev-outbox',
      send: (message: EmailMessage, userId: string) => write(userId, 'EMAIL', message.to, message.subject, message.text),
      close: async () => undefined,
    },
    sms: { kind: 'dev-outbox', send: (to: string, body: string, userId: string) => write(userId, 'SMS', to, null, body) },
    push: {
      kind: 'dev-outbox',
      publicKey: options.pushPublicKey,
      send: (target: PushTarget, payload: string, userId: string) => write(userId, 'PUSH', target.endpoint, null, payload),
    },
  };
}
