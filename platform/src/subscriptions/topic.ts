import type { z } from 'zod';
import type { PubSub } from '../redis/pubsub';

/**
 * One live event as it travels on a pub/sub channel: the domain payload and the cursor a client
 * resumes from. Pub/sub is at-most-once, so every event names its position: a client that
 * reconnects asks the owning subgraph's catch-up query for what came after its last cursor.
 */
export interface LiveEvent<P> {
  cursor: string;
  payload: P;
}

/** A named stream of live events, split into channels by key (a conversation id, a user id...). */
export interface Topic<P> {
  readonly name: string;
  channel(key: string): string;
  /** Checks a message read from a channel (another replica, maybe another version, sent it). */
  parse(message: unknown): LiveEvent<P> | null;
  /** Checks an event before it is published, and returns the message to send. */
  encode(event: LiveEvent<P>): LiveEvent<P>;
}

const TOPIC_NAME = /^[a-z][A-Za-z0-9]*(\.[a-z][A-Za-z0-9]*)*$/;
const MAX_KEY_LENGTH = 200;

/**
 * `defineTopic('messaging.messageAdded', z.object({ ... }))`. The name is the channel prefix, so it
 * must be unique across subgraphs: prefix it with the subgraph's name.
 */
export function defineTopic<S extends z.ZodType>(name: string, payload: S): Topic<z.infer<S>> {
  if (!TOPIC_NAME.test(name)) throw new Error(`topic name ${JSON.stringify(name)} must look like "subgraph.eventName"`);
  const channel = (key: string) => {
    if (typeof key !== 'string' || key.length === 0 || key.length > MAX_KEY_LENGTH) {
      throw new Error(`${name}: a channel key must be a non-empty string of at most ${MAX_KEY_LENGTH} characters`);
    }
    return `live:${name}:${key}`;
  };
  const check = (message: unknown): LiveEvent<z.infer<S>> | null => {
    if (!message || typeof message !== 'object') return null;
    const { cursor, payload: raw } = message as { cursor?: unknown; payload?: unknown };
    if (typeof cursor !== 'string' || cursor.length === 0) return null;
    const parsed = payload.safeParse(raw);
    return parsed.success ? { cursor, payload: parsed.data } : null;
  };
  return {
    name,
    channel,
    parse: check,
    encode(event) {
      const checked = check(event);
      if (!checked) throw new Error(`${name}: not a valid live event (a non-empty cursor and a payload matching the topic's schema)`);
      return checked;
    },
  };
}

/**
 * Publishes one event to every subscriber of `topic` for `key`, on every replica. Call it after
 * the change is committed (the catch-up query must already see what the event announces).
 * Delivery is at-most-once: never make it the only record of anything.
 */
export async function publishLiveEvent<P>(pubsub: PubSub, topic: Topic<P>, key: string, event: LiveEvent<P>): Promise<void> {
  await pubsub.publish(topic.channel(key), topic.encode(event));
}
