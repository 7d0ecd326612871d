/**
 * The clients of the messaging benchmark, in a process of their own (the gateway's and the
 * subgraphs' event loops do not delay what they measure). Each client is one user with one socket
 * and one `inboxUpdated` subscription: the inbox-wide stream. They also send the messages, so send
 * and delivery times come from one monotonic clock. Driven over IPC by run.ts:
 *   { type: 'connect', ... }    → { ms, failed }       N graphql-ws clients, one socket each
 *   { type: 'warmUp', ... }     → { ms, silent }       until every client has had an update
 *   { type: 'paced', ... }      → PacedResult           paced sendMessage, latency per MESSAGE_ADDED delivery
 *   { type: 'throughput', ... } → ThroughputResult      closed-loop senders as fast as they are answered
 *   { type: 'close' }           → { closed }
 */
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { createClient, type Client } from 'graphql-ws';

export interface Member {
  token: string;
}

export interface Sender {
  token: string;
  conversationId: string;
  /** Members of the conversation with a client (the sender's own update included). */
  audience: number;
}

export type ClientsRequest =
  | { type: 'connect'; url: string; members: Member[]; concurrency: number }
  | { type: 'warmUp'; senders: Sender[]; timeoutMs: number }
  | { type: 'paced'; senders: Sender[]; rate: number; durationS: number; graceMs: number }
  | { type: 'throughput'; senders: Sender[]; concurrency: number; durationS: number; graceMs: number }
  | { type: 'close' };

export interface Latencies {
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export interface PacedResult {
  sent: number;
  sendFailures: number;
  expected: number;
  delivered: number;
  latencyMs: Latencies;
  mutationMs: { p50: number; p99: number };
  ended: Record<string, number>;
  clients: { cpuShare: number; eventLoopDelayP99Ms: number };
}

export interface ThroughputResult {
  sent: number;
  sendFailures: number;
  messagesPerS: number;
  expected: number;
  delivered: number;
  updatesPerS: number;
  latencyMs: Latencies;
  clients: { cpuShare: number; eventLoopDelayP99Ms: number };
}

const QUERY = `subscription { inboxUpdated { kind conversationId message { body } unreadCount cursor } }`;
const SEND = `mutation($conversationId: ID!, $body: String!) { sendMessage(conversationId: $conversationId, body: $body) { id } }`;

interface Live {
  client: Client;
  events: number;
  ended: string | null;
}

let url = '';
let live: Live[] = [];
const sentAt = new Map<string, number>();
let latencies: number[] = [];

const reply = (message: object) => process.send?.(message);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return Number((sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number).toFixed(1));
}

function latencyStats(values: number[]): Latencies {
  const sorted = Array.from(Float64Array.from(values).sort());
  return { p50: percentile(sorted, 50), p90: percentile(sorted, 90), p99: percentile(sorted, 99), max: percentile(sorted, 100) };
}

function describeEnd(err: unknown): string {
  if (Array.isArray(err)) return (err[0] as { extensions?: { code?: string } })?.extensions?.code ?? 'graphql error';
  const close = err as { code?: number; reason?: string };
  if (typeof close?.code === 'number') return `close ${close.code}${close.reason ? ` ${close.reason}` : ''}`;
  return String(err);
}

async function open(member: Member): Promise<Live> {
  const client = createClient({
    url: url.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    lazy: false,
    onNonLazyError: () => undefined,
    connectionParams: { authorization: `Bearer ${member.token}` },
  });
  const entry: Live = { client, events: 0, ended: null };
  await new Promise<void>((resolve) => {
    const off = client.on('connected', () => {
      off();
      resolve();
    });
    client.on('closed', () => resolve());
  });
  client.subscribe<{ inboxUpdated: { kind: string; message: { body: string } | null } }>(
    { query: QUERY },
    {
      next: (result) => {
        const now = performance.now();
        entry.events++;
        const update = result.data?.inboxUpdated;
        if (update?.kind === 'MESSAGE_ADDED' && update.message) {
          const at = sentAt.get(update.message.body);
          if (at !== undefined) latencies.push(now - at);
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

function ended(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const l of live) if (l.ended) out[l.ended] = (out[l.ended] ?? 0) + 1;
  return out;
}

let warmUpSeq = 0;

async function handle(message: ClientsRequest) {
  switch (message.type) {
    case 'connect': {
      url = message.url;
      const started = performance.now();
      const queue = [...message.members];
      const opened: Live[] = [];
      await Promise.all(
        Array.from({ length: message.concurrency }, async () => {
          for (let next = queue.shift(); next; next = queue.shift()) opened.push(await open(next));
        }),
      );
      live = opened;
      reply({ ms: Math.round(performance.now() - started), failed: live.filter((l) => l.ended).length });
      return;
    }
    case 'warmUp': {
      const started = performance.now();
      while (live.some((l) => l.events === 0 && !l.ended) && performance.now() - started < message.timeoutMs) {
        await Promise.all(message.senders.map((s) => sendMessage(s, `warm-up ${++warmUpSeq}`)));
        await sleep(1_000);
      }
      await sleep(1_000);
      reply({ ms: Math.round(performance.now() - started), silent: live.filter((l) => l.events === 0).length });
      return;
    }
    case 'paced': {
      const { senders, rate, durationS } = message;
      latencies = [];
      sentAt.clear();
      const total = Math.round(rate * durationS);
      const mutationTimes: number[] = [];
      let expected = 0;
      let failures = 0;
      const pending: Promise<void>[] = [];
      const delay = monitorEventLoopDelay({ resolution: 10 });
      delay.enable();
      const cpuBefore = process.cpuUsage();
      const start = performance.now();
      for (let seq = 0; seq < total; seq++) {
        const wait = start + (seq * 1000) / rate - performance.now();
        if (wait > 0) await sleep(wait);
        const sender = senders[seq % senders.length] as Sender;
        expected += sender.audience;
        const body = `paced ${seq}`;
        const at = performance.now();
        sentAt.set(body, at);
        pending.push(
          sendMessage(sender, body).then((ok) => {
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
      const mutations = mutationTimes.sort((a, b) => a - b);
      reply({
        sent: total,
        sendFailures: failures,
        expected,
        delivered: latencies.length,
        latencyMs: latencyStats(latencies),
        mutationMs: { p50: percentile(mutations, 50), p99: percentile(mutations, 99) },
        ended: ended(),
        clients: {
          cpuShare: Math.round(((cpu.user + cpu.system) / 1000 / (performance.now() - start)) * 100) / 100,
          eventLoopDelayP99Ms: Math.round(delay.percentile(99) / 1e5) / 10,
        },
      } satisfies PacedResult);
      return;
    }
    case 'throughput': {
      // Closed loop: `concurrency` senders each send their next message as soon as the last was answered.
      latencies = [];
      sentAt.clear();
      let sent = 0;
      let failures = 0;
      let expected = 0;
      const delay = monitorEventLoopDelay({ resolution: 10 });
      delay.enable();
      const cpuBefore = process.cpuUsage();
      const start = performance.now();
      const stopAt = start + message.durationS * 1000;
      await Promise.all(
        Array.from({ length: message.concurrency }, async (_, worker) => {
          for (let i = 0; performance.now() < stopAt; i++) {
            const sender = message.senders[(worker + i * message.concurrency) % message.senders.length] as Sender;
            const body = `burst ${worker}-${i}`;
            sentAt.set(body, performance.now());
            expected += sender.audience;
            if (await sendMessage(sender, body)) sent++;
            else failures++;
          }
        }),
      );
      const sendMs = performance.now() - start;
      const deadline = performance.now() + message.graceMs;
      while (latencies.length < expected && performance.now() < deadline) await sleep(50);
      const drainMs = performance.now() - start;
      delay.disable();
      const cpu = process.cpuUsage(cpuBefore);
      reply({
        sent,
        sendFailures: failures,
        messagesPerS: Math.round((sent / sendMs) * 1000 * 10) / 10,
        expected,
        delivered: latencies.length,
        updatesPerS: Math.round((latencies.length / drainMs) * 1000),
        latencyMs: latencyStats(latencies),
        clients: {
          cpuShare: Math.round(((cpu.user + cpu.system) / 1000 / drainMs) * 100) / 100,
          eventLoopDelayP99Ms: Math.round(delay.percentile(99) / 1e5) / 10,
        },
      } satisfies ThroughputResult);
      return;
    }
    case 'close': {
      await Promise.all(live.map((l) => l.client.dispose()));
      live = [];
      reply({ closed: true });
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
