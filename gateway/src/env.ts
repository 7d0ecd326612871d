import { z } from 'zod';
import { logLevel, nodeEnv, parseEnv, port, secret, SUBGRAPH_NAMES, type SubgraphName } from '@market/platform';
import { parseTrustProxy, type TrustProxy } from './edge/client-address';

/** The browser dev servers a client team is likely to run: a web app (Vite 5173, 3000), Expo (8081), the gateway's own page. */
export const DEVELOPMENT_ORIGINS = ['3000', '4000', '5173', '8081'].flatMap((p) => [`http://localhost:${p}`, `http://127.0.0.1:${p}`]);

/** Unset or empty (as .env.example leaves it): the default applies. */
const unsetIfEmpty = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (v === '' ? undefined : v), schema.optional());
const optionalUrl = unsetIfEmpty(z.string().url({ error: 'must be an http(s) URL' }));

export const gatewayEnvSchema = z.object({
  NODE_ENV: nodeEnv,
  LOG_LEVEL: logLevel,
  HOST: z.string().default('0.0.0.0'),
  PORT: port(4000),
  GATEWAY_SIGNING_SECRET: secret,
  JWT_PUBLIC_KEY: z.string({ error: 'is required: the Ed25519 public key (PEM) that verifies access tokens' }).includes('PUBLIC KEY', {
    error: 'must be a PEM public key (-----BEGIN PUBLIC KEY-----)',
  }),
  SUPERGRAPH_PATH: unsetIfEmpty(z.string()),
  /**
   * Comma-separated browser origins allowed by CORS and WebSocket upgrades; empty allows none.
   * Unset: the common development servers outside production (allowedOrigins), none in production.
   */
  CORS_ORIGINS: z
    .string()
    .optional()
    .transform((s) =>
      s === undefined
        ? undefined
        : s
            .split(',')
            .map((o) => o.trim())
            .filter(Boolean),
    ),
  /** Proxies trusted to set X-Forwarded-For (edge/client-address.ts): unset trusts none. */
  TRUST_PROXY: z
    .string()
    .optional()
    .transform((value, ctx): TrustProxy => {
      const parsed = parseTrustProxy(value);
      if (typeof parsed === 'object' && !Array.isArray(parsed) && parsed !== null) {
        ctx.addIssue({ code: 'custom', message: parsed.error });
        return false;
      }
      return parsed;
    }),
  MAX_BODY_BYTES: z.coerce.number().int().min(1024).default(2_000_000),
  ACCOUNTS_URL: optionalUrl,
  LISTINGS_URL: optionalUrl,
  BOOKINGS_URL: optionalUrl,
  MESSAGING_URL: optionalUrl,
  ENGAGEMENT_URL: optionalUrl,
  INSTANCES_URL: optionalUrl,
  SUBGRAPH_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
  /** How subgraph calls go over the wire: undici's core API (`dispatcher.request()`), or Node's WHATWG fetch(). */
  SUBGRAPH_FETCHER: z.enum(['undici', 'fetch']).default('undici'),
  /** `on`: identical in-flight subgraph queries of the same caller (same identity, address, agent and body) are sent once (edge/subgraph-dedupe.ts). */
  SUBGRAPH_DEDUPE: z.enum(['on', 'off']).default('on'),
  /** The access log (one line per GraphQL request): `buffered` writes it in batches, `sync` one write per line, `off` not at all. */
  ACCESS_LOG: z.enum(['buffered', 'sync', 'off']).default('buffered'),
  /** Open WebSocket (subscription) connections per gateway process. */
  WS_MAX_CONNECTIONS: z.coerce.number().int().min(1).default(10_000),
  /**
   * Redis where accounts records ended sessions (logout, revocation, suspension, deleted account);
   * every token is checked against it. Unset: the in-process store the embedded stack shares, or
   * no check at all when the gateway runs alone (a warning says so at start).
   */
  REDIS_URL: z.preprocess(
    (value) => (value === '' ? undefined : value),
    z
      .string()
      .regex(/^rediss?:\/\//, { error: 'must be a redis:// or rediss:// URL' })
      .optional(),
  ),
  /** OpenTelemetry: OTLP/HTTP collector that receives traces (spans go to <endpoint>/v1/traces); unset, tracing is off. */
  OTEL_EXPORTER_OTLP_ENDPOINT: z.preprocess(
    (v) => (v === '' ? undefined : v),
    z
      .string()
      .regex(/^https?:\/\//, { error: 'must be an http(s):// URL' })
      .optional(),
  ),
  /** Consecutive failed calls (timeout, refused, 5xx) to one subgraph that open its circuit breaker. */
  CIRCUIT_BREAKER_FAILURES: z.coerce.number().int().min(1).default(5),
  /** How long an open circuit answers SUBGRAPH_UNAVAILABLE at once before one trial call. */
  CIRCUIT_BREAKER_COOLDOWN_MS: z.coerce.number().int().min(100).default(10_000),
  /** Failed subgraph calls are logged at most once per this interval per subgraph and reason, with a count. */
  UPSTREAM_FAILURE_LOG_INTERVAL_MS: z.coerce.number().int().min(0).default(30_000),
  /**
   * `enforce`: only the operations in TRUSTED_DOCUMENTS_MANIFEST run (HTTP and WebSocket), and
   * automatic persisted queries are off; in development it only warns, so the playground still works.
   */
  TRUSTED_DOCUMENTS: z.enum(['off', 'enforce']).default('off'),
  /** A persisted-operation manifest (graphql-codegen's persisted documents, or Apollo's manifest). */
  TRUSTED_DOCUMENTS_MANIFEST: z.preprocess((v) => (v === '' ? undefined : v), z.string().optional()),
  /** Deadline of a graceful shutdown (SIGTERM): requests still running then are cut. */
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).default(10_000),
  /**
   * After SIGTERM, how long the gateway keeps accepting connections while /readyz answers 503, so a
   * load balancer stops routing here before the listener closes. 0: close at once.
   */
  SHUTDOWN_DELAY_MS: z.coerce.number().int().min(0).default(0),
  /** Open WebSocket connections per client address per gateway process; 0 turns the cap off. */
  WS_MAX_CONNECTIONS_PER_IP: z.coerce.number().int().min(0).default(256),
});

export type GatewayEnv = z.infer<typeof gatewayEnvSchema>;

export function loadGatewayEnv(source?: Record<string, string | undefined>): GatewayEnv {
  return parseEnv(
    'gateway',
    gatewayEnvSchema.refine((env) => env.TRUSTED_DOCUMENTS !== 'enforce' || env.TRUSTED_DOCUMENTS_MANIFEST, {
      path: ['TRUSTED_DOCUMENTS_MANIFEST'],
      error: 'is required when TRUSTED_DOCUMENTS=enforce: the persisted-operation manifest to serve',
    }),
    source,
  );
}

/** The browser origins allowed: CORS_ORIGINS when set; else the development servers, except in production. */
export function allowedOrigins(env: GatewayEnv): string[] {
  return env.CORS_ORIGINS ?? (env.NODE_ENV === 'production' ? [] : DEVELOPMENT_ORIGINS);
}

/** Routing URLs given in the environment override the ones in the supergraph file. */
export function subgraphUrlOverrides(env: GatewayEnv): Partial<Record<SubgraphName, string>> {
  const out: Partial<Record<SubgraphName, string>> = {};
  for (const name of SUBGRAPH_NAMES) {
    const url = env[`${name.toUpperCase()}_URL` as `${Uppercase<SubgraphName>}_URL`];
    if (url) out[name] = url;
  }
  return out;
}
