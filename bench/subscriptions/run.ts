/**
 * Subscriptions benchmark: N graphql-ws clients on `messageAdded` through the real gateway, fed by
 * paced `sendMessage` mutations, on the real graph (six subgraphs, a real PostgreSQL).
 *
 *   node -r @swc-node/register bench/subscriptions/run.ts [--subscribers 2000[,1000,...]]
 *        [--conversations 4] [--rate 4] [--duration 20] [--fields sender|own]
 *
 * Three processes, as they would be deployed: this one runs the six subgraphs (stack/src/stack.ts,
 * one in-process pub/sub and event bus, as in embedded mode), a forked gateway (gateway-process.ts:
 * its memory is read alone) that the clients and the mutations go through, and a forked client
 * process (clients-process.ts) that opens the sockets, sends the messages and times each delivery
 * against its own send time.
 *
 * Per step (each value of --subscribers): open N clients spread over the conversations (each
 * conversation has 20 participants; client i signs in as one of them), wait until every client
 * has had a warm-up message, read the gateway's RSS, send `--rate` messages per second in total
 * (round-robin over the conversations) for `--duration` seconds, and report delivered events per
 * second, send-to-delivery latency p50/p90/p99, and gateway memory per connection
 * (RSS after the clients subscribed minus RSS before, after a full GC, divided by N). Then the
 * clients disconnect and the next step starts.
 *
 * `--fields sender` (default) subscribes to `{ id body cursor sender { name } }`: every event then
 * also costs the gateway one `_entities` fetch from accounts per subscriber. `--fields own` asks only
 * for messaging's fields. Databases bench_<run>_<domain> are created on BENCH_POSTGRES_URL (default
 * postgres://postgres@127.0.0.1:5432/postgres), migrated, and dropped at the end.
 */
import '../sources';
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { Client as PgClient } from 'pg';
import { createLogger, MemoryPubSub } from '@market/platform';
import { forkGateway, forkHelper, log, withBenchStack } from '../harness';
import type { GatewayMeasurement, GatewayRequest } from './gateway-process';
import type { ClientsRequest, RunResult, Sender, Subscriber } from './clients-process';

const PARTICIPANTS_PER_CONVERSATION = 20;

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? (process.argv[i + 1] as string) : fallback;
}
const STEPS = arg('subscribers', '2000').split(',').map(Number);
const CONVERSATIONS = Number(arg('conversations', '4'));
const RATE = Number(arg('rate', '4'));
const DURATION_S = Number(arg('duration', '20'));
const FIELDS = arg('fields', 'sender');
const QUERY =
  FIELDS === 'own'
    ? `subscription($conversationId: ID!) { messageAdded(conversationId: $conversationId) { id body cursor } }`
    : `subscription($conversationId: ID!) { messageAdded(conversationId: $conversationId) { id body cursor sender { name } } }`;

const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;

async function main() {
  const pubsub = new MemoryPubSub(createLogger('pubsub', 'silent'));
  let gateway: ReturnType<typeof forkHelper> | null = null;
  let clients: ReturnType<typeof forkHelper> | null = null;
  try {
    await withBenchStack({ extraEnv: { DATABASE_POOL_SIZE: '20' }, pubsub }, async (bench) => {
      const { urls, runId, sign, request } = bench;
      try {
        // Senders are real accounts (the subscription resolves `sender { name }` there); the other
        // participants need no account, only to be known to messaging (written into its copy of users,
        // as accounts' registration events would).
        const accountsDb = new PgClient({ connectionString: urls.accounts });
        await accountsDb.connect();
        const messagingDb = new PgClient({ connectionString: urls.messaging });
        await messagingDb.connect();
        const senders: Sender[] = [];
        const participants: string[][] = [];
        for (let c = 0; c < CONVERSATIONS; c++) {
          const email = `bench-sender-${c}-${runId}@example.com`;
          const signUp = await request(`mutation($input: SignUpInput!) { signUp(input: $input) { __typename } }`, {
            input: { name: `Sender ${c}`, email, password: 'correct horse battery staple', role: 'BUYER' },
          });
          if (signUp.data?.signUp?.__typename !== 'VerificationSent') throw new Error(`sign-up failed: ${JSON.stringify(signUp)}`);
          const sent = await accountsDb.query<{ body: string }>(
            `SELECT body FROM dev_outbox WHERE recipient = $1 ORDER BY created_at DESC LIMIT 1`,
            [email],
          );
          const code = /\b(\d{6})\b/.exec(sent.rows[0]?.body ?? '')?.[1];
          const verified = await request(
            `mutation($email: String!, $code: String!) { verifyEmail(email: $email, code: $code) { __typename ... on AuthPayload { accessToken } } }`,
            { email, code },
          );
          const token: string | undefined = verified.data?.verifyEmail?.accessToken;
          if (!token) throw new Error(`verification failed: ${JSON.stringify(verified)}`);
          const others = Array.from({ length: PARTICIPANTS_PER_CONVERSATION - 1 }, () => randomUUID());
          await messagingDb.query(
            `INSERT INTO known_users (user_id, name, role, last_event_at) SELECT id, 'Participant', 'BUYER', now() FROM unnest($1::uuid[]) AS u(id)`,
            [others],
          );
          let conversationId: string | undefined;
          // The sender's own registration reaches messaging by event, a moment after verification.
          for (let attempt = 0; !conversationId && attempt < 100; attempt++) {
            const started = await request(
              `mutation($input: StartConversationInput!) { startConversation(input: $input) { ... on Conversation { id } } }`,
              { input: { participantIds: others } },
              token,
            );
            conversationId = started.data?.startConversation?.id;
            if (!conversationId) await new Promise((r) => setTimeout(r, 100));
          }
          if (!conversationId) throw new Error('startConversation failed: the sender never became known to messaging');
          senders.push({ token, conversationId });
          participants.push(others);
        }
        await accountsDb.end();
        await messagingDb.end();

        const profile = process.env['BENCH_PROFILE_GATEWAY'];
        const forked = await forkGateway(bench, profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : []);
        gateway = forked.gateway;
        const url = forked.url;
        clients = forkHelper(path.join(__dirname, 'clients-process.ts'));
        log(
          `${CONVERSATIONS} conversations of ${PARTICIPANTS_PER_CONVERSATION}; gateway ${url}; fields: ${FIELDS}; ${RATE} messages/s for ${DURATION_S} s per step`,
        );

        const rows: object[] = [];
        for (const n of STEPS) {
          const subscribers: Subscriber[] = [];
          for (let i = 0; i < n; i++) {
            const c = i % CONVERSATIONS;
            const userId = participants[c]![Math.floor(i / CONVERSATIONS) % (PARTICIPANTS_PER_CONVERSATION - 1)]!;
            subscribers.push({
              token: await sign({ userId, role: 'BUYER', sessionId: randomUUID() }),
              conversationId: senders[c]!.conversationId,
            });
          }
          const before = await gateway.ask<GatewayMeasurement>({ type: 'measure' } satisfies GatewayRequest);
          const connected = await clients.ask<{ ms: number; failed: number }>({
            type: 'connect',
            url,
            query: QUERY,
            subscribers,
            concurrency: 50,
          } satisfies ClientsRequest);
          const ready = await clients.ask<{ ms: number; silent: number }>({
            type: 'warmUp',
            senders,
            timeoutMs: 90_000,
          } satisfies ClientsRequest);
          const after = await gateway.ask<GatewayMeasurement>({ type: 'measure' } satisfies GatewayRequest);
          log(
            `N=${n}: connected in ${connected.ms} ms (${connected.failed} failed), all subscribed after ${ready.ms} ms (${ready.silent} silent); gateway ${after.connections} connections, ${after.subscriptions} subscriptions`,
          );

          const load = os.loadavg()[0]!.toFixed(1);
          const subgraphsCpu = process.cpuUsage();
          const runStarted = Date.now();
          const result = await clients.ask<RunResult>({
            type: 'run',
            senders,
            rate: RATE,
            durationS: DURATION_S,
            graceMs: 15_000,
          } satisfies ClientsRequest);
          const runMs = Date.now() - runStarted;
          const subgraphsCpuMs = Object.values(process.cpuUsage(subgraphsCpu)).reduce((a, b) => a + b, 0) / 1000;
          const end = await gateway.ask<GatewayMeasurement>({ type: 'measure', gc: false } satisfies GatewayRequest);
          const row = {
            subscribers: n,
            fields: FIELDS,
            messagesPerS: RATE,
            eventsPerS: Math.round(result.delivered / (result.windowMs / 1000)),
            delivered: `${result.delivered}/${result.expected}`,
            latencyMs: result.latencyMs,
            mutationMs: result.mutationMs,
            gatewayRssMb: { before: mb(before.rss), subscribed: mb(after.rss) },
            gatewayKbPerConnection: Math.round(((after.rss - before.rss) / n / 1024) * 10) / 10,
            gatewayHeapKbPerConnection: Math.round(((after.heapUsed - before.heapUsed) / n / 1024) * 10) / 10,
            cpuSharePerCore: {
              gateway: Math.round(((end.cpuMs - after.cpuMs) / runMs) * 100) / 100,
              subgraphs: Math.round((subgraphsCpuMs / runMs) * 100) / 100,
              clients: result.clients.cpuShare,
            },
            clientsEventLoopDelayP99Ms: result.clients.eventLoopDelayP99Ms,
            loadAverage1m: load,
            sendFailures: result.sendFailures,
            ended: result.ended,
          };
          rows.push(row);
          console.log(JSON.stringify(row));
          await clients.ask({ type: 'close' } satisfies ClientsRequest);
          // Let the gateway and messaging release the closed subscriptions before the next baseline.
          for (let i = 0; i < 100; i++) {
            const m = await gateway.ask<GatewayMeasurement>({ type: 'measure' } satisfies GatewayRequest);
            if (m.connections === 0 && pubsub.channels().length === 0) break;
            await new Promise((r) => setTimeout(r, 100));
          }
        }
        log(`done (${os.cpus().length} CPUs, node ${process.version})`);
      } finally {
        await clients?.stop();
        await gateway?.stop({ type: 'stop' } satisfies GatewayRequest);
      }
    });
  } finally {
    await pubsub.close();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
