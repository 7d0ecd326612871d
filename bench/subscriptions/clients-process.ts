/**
 * The clients of the subscriptions benchmark, in a process of their own (neither the gateway's
 * nor the subgraphs' event loop delays what they measure). They also send the messages, so send
 * and delivery times come from one monotonic clock. Driven over IPC by run.ts:
 *   { type: 'connect', ... } → { type: 'connected', ms, failed }   N graphql-ws clients, one socket each
 *   { type: 'warmUp', ... }  → { type: 'ready', ms, silent }        until every client has had an event
 *   { type: 'run', ... }     → { type: 'result', ... }              paced sendMessage, latency per delivery
 *   { type: 'close' }        → { type: 'closed' }
 */
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { createClient, type Client } from 'graphql-ws';

export interface Subscriber {
  token: string;
  conversationId: string;
}

export interface Sender {
  token: string;
  conversationId: string;
}

export type ClientsRequest =
  | { type: 'connect'; url: string; query: string; subscribers: Subscriber[]; concurrency: number }
  | { type: 'warmUp'; senders: Sender[]; timeoutMs: number }
  | { type: 'run'; senders: Sender[]; rate: number; durationS: number; graceMs: number }
  | { type: 'close' };

export interface RunResult {
  type: 'result';
  sent: number;
  sendFailures: number;
  expected: number;
  delivered: number;
  /** From the first send to the last delivery. */
  windowMs: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  mutationMs: { p50: number; p99: number };
  /** Subscriptions ended by the server (too slow, interrupted...), with their reasons. */
  ended: Record<string, number>;
  /** This process's own load: if it is saturated, the latencies measure the clients, not the server. */
  clients: { cpuShare: number; eventLoopDelayP99Ms: number };
}

const SEND = `mutation($conversationId: ID!, $body: String!) { sendMessage(conversationId: $conversationId, body: $body) { id } }`;

interface Live {
  client: Client;
  conversationId: string;
  events: number;
  ended: string | null;
}

let url = '';
let live: Live[] = [];
/** Send time of each message by sequence number, and what its delivery should reach. */
const sentAt = new Map<number, number>();
let latencies: number[] = [];
let lastDelivery = 0;

const reply = (message: object) => process.send?.(message);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return Number((sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number).toFixed(1));
}

function describeEnd(err: unknown): string {
  if (Array.isArray(err)) return (err[0] as { extensions?: { code?: string } })?.extensions?.code ?? 'graphql error';
  const close = err as { code?: number; reason?: string };
  if (typeof close?.code === 'number') return `close ${close.code}${close.reason ? ` ${close.reason}` : ''}`;
  return String(err);
}

async function open(query: string, subscriber: Subscriber): Promise<Live> {
  const client = createClient({
    url: url.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    lazy: false,
    onNonLazyError: () => undefined,
    connectionParams: { authorization: `Bearer ${subscriber.token}` },
  });
  const entry: Live = { client, conversationId: subscriber.conversationId, events: 0, ended: null };
  await new Promise<void>((resolve) => {
    const off = client.on('connected', () => {
      off();
      resolve();
    });
    client.on('closed', () => resolve());
  });
  client.subscribe<{ messageAdded: { body: string } }>(
    { query, variables: { conversationId: subscriber.conversationId } },
    {
      next: (result) => {
        const now = performance.now();
        entry.events++;
        const body = result.data?.messageAdded.body ?? '';
        const seq = Number(body.slice('bench '.length));
        const at = sentAt.get(seq);
        if (at !== undefined) {
          latencies.push(now - at);
          lastDelivery = now;
        }
        if (result.errors) entry.ended ??= describeEnd(result.errors);
      },
      error: (err) => {
        entry.ended = describeEnd(err);
      },
      complete: () => {
        entry.ended ??= 'complete';
      },
    },
  );
  return entry;
}

async function sendMessage(sender: Sender, body: string): Promise<boolean> {
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${sender.token}` },
      body: JSON.stringify({ query: SEND, variables: { conversationId: sender.conversationId, body } }),
    });
    const json = (await res.json()) as { data?: unknown; errors?: unknown };
    return Boolean(json.data) && !json.errors;
  } catch {
    return false;
  }
}

let warmUpSeq = 0;

async function handle(message: ClientsRequest) {
  switch (message.type) {
    case 'connect': {
      url = message.url;
      const started = performance.now();
      const queue = [...message.subscribers];
      const opened: Live[] = [];
      await Promise.all(
        Array.from({ length: message.concurrency }, async () => {
          for (let next = queue.shift(); next; next = queue.shift()) opened.push(await open(message.query, next));
        }),
      );
      live = opened;
      reply({ type: 'connected', ms: Math.round(performance.now() - started), failed: live.filter((l) => l.ended).length });
      return;
    }
    case 'warmUp': {
      // A message per conversation until each client has had one: then every upstream subscription is in place.
      const started = performance.now();
      while (live.some((l) => l.events === 0 && !l.ended) && performance.now() - started < message.timeoutMs) {
        await Promise.all(message.senders.map((s) => sendMessage(s, `warm-up ${++warmUpSeq}`)));
        await sleep(1_000);
      }
      await sleep(1_000);
      reply({ type: 'ready', ms: Math.round(performance.now() - started), silent: live.filter((l) => l.events === 0).length });
      return;
    }
    case 'run': {
      const { senders, rate, durationS } = message;
      latencies = [];
      sentAt.clear();
      const perConversation = new Map<string, number>();
      for (const l of live) if (!l.ended) perConversation.set(l.conversationId, (perConversation.get(l.conversationId) ?? 0) + 1);
      const total = Math.round(rate * durationS);
      const mutationTimes: number[] = [];
      let expected = 0;
      let failures = 0;
      const pending: Promise<void>[] = [];
      const delay = monitorEventLoopDelay({ resolution: 10 });
      delay.enable();
      const cpuBefore = process.cpuUsage();
      // CPU over the whole run (sending and draining), like run.ts measures the other processes.
      const start = performance.now();
      for (let seq = 0; seq < total; seq++) {
        const due = start + (seq * 1000) / rate;
        const wait = due - performance.now();
        if (wait > 0) await sleep(wait);
        const sender = senders[seq % senders.length] as Sender;
        expected += perConversation.get(sender.conversationId) ?? 0;
        const at = performance.now();
        sentAt.set(seq, at);
        pending.push(
          sendMessage(sender, `bench ${seq}`).then((ok) => {
            mutationTimes.push(performance.now() - at);
            if (!ok) failures++;
          }),
        );
      }
      await Promise.all(pending);
      const deadline = performance.now() + message.graceMs;
      while (latencies.length < expected && performance.now() < deadline) await sleep(50);
      delay.disable();
      const cpu = process.cpuUsage(cpuBefore);
      const sorted = Float64Array.from(latencies).sort();
      const asArray = Array.from(sorted);
      const mutations = mutationTimes.sort((a, b) => a - b);
      const ended: Record<string, number> = {};
      for (const l of live) if (l.ended) ended[l.ended] = (ended[l.ended] ?? 0) + 1;
      const result: RunResult = {
        type: 'result',
        sent: total,
        sendFailures: failures,
        expected,
        delivered: latencies.length,
        windowMs: Math.round(lastDelivery - start),
        latencyMs: {
          p50: percentile(asArray, 50),
          p90: percentile(asArray, 90),
          p99: percentile(asArray, 99),
          max: percentile(asArray, 100),
        },
        mutationMs: { p50: percentile(mutations, 50), p99: percentile(mutations, 99) },
        ended,
        clients: {
          cpuShare: Math.round(((cpu.user + cpu.system) / 1000 / (performance.now() - start)) * 100) / 100,
          eventLoopDelayP99Ms: Math.round(delay.percentile(99) / 1e5) / 10,
        },
      };
      reply(result);
      return;
    }
    case 'close': {
      await Promise.all(live.map((l) => l.client.dispose()));
      live = [];
      reply({ type: 'closed' });
      return;
    }
  }
}

process.on('message', (message: ClientsRequest) => {
  handle(message).catch((err: unknown) => {
    console.error('[clients]', err);
    process.exit(1);
  });
});
