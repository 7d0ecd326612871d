/**
 * One gateway of the side-by-side benchmark, in a process of its own so its CPU time can be read
 * alone (run.ts forks one per gateway). Driven over IPC:
 *   { type: 'start', config } → { type: 'started', url }
 *   { type: 'measure' }       → { type: 'measured', cpuMs, rss }
 *   { type: 'stop' }          → exits
 * Kinds:
 *   ours   - gateway/src/gateway.ts as production runs it (LOG_LEVEL info, access log to /dev/null),
 *            with `env` overrides per variant (SUBGRAPH_FETCHER=fetch, ...);
 *   apollo - plain @apollo/gateway on @apollo/server's standalone server with its defaults, plus a
 *            data source that verifies the bearer token and signs every subgraph call as ours does;
 *   hive   - Hive Gateway's runtime (@graphql-hive/gateway) with its defaults on node:http, plus a
 *            plugin that verifies the bearer token and signs every subgraph fetch as ours does.
 */
import '../sources';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import {
  AccessTokenVerifier,
  CALLER_HEADER,
  REQUEST_ID_HEADER,
  SIGNATURE_HEADER,
  createLogger,
  encodeCaller,
  signRequest,
  type Identity,
  type SubgraphName,
} from '@market/platform';

import type { GraphQLDataSourceProcessOptions } from '@apollo/gateway';

export type GatewayKind = 'ours' | 'apollo' | 'hive';

export interface GatewayConfig {
  kind: GatewayKind;
  /** Environment overrides of our gateway (one lever at a time). */
  env: Record<string, string>;
  signingSecret: string;
  jwtPublicKey: string;
  /** The supergraph with the running subgraphs' URLs in its join__graph directives. */
  supergraphSdl: string;
  subgraphUrls: Record<SubgraphName, string>;
}

export type GatewayRequest = { type: 'start'; config: GatewayConfig } | { type: 'measure' } | { type: 'stop' };

export interface GatewayMeasurement {
  type: 'measured';
  /** CPU time (user + system) this process has used so far. */
  cpuMs: number;
  rss: number;
}

interface Started {
  url: string;
  stop(): Promise<void>;
}

const reply = (message: object) => process.send?.(message);

/** The caller header our gateway would send for this incoming request (token verified). */
async function callerOf(
  verifier: AccessTokenVerifier,
  authorization: string | null | undefined,
  ip: string | null,
  userAgent: string | null,
): Promise<string> {
  let identity: Identity | null = null;
  const token = authorization?.startsWith('Bearer ') ? authorization.slice(7) : null;
  if (token) {
    const verdict = await verifier.verify(token);
    if (verdict.ok) identity = verdict.identity;
  }
  return encodeCaller({ identity, ip, userAgent: userAgent?.slice(0, 512) ?? null });
}

async function startOurs(config: GatewayConfig): Promise<Started> {
  // Each kind loads only its own libraries, so none patches the others' process.
  const { createGateway } = require('../../gateway/src/gateway') as typeof import('../../gateway/src/gateway');
  const { loadGatewayEnv } = require('../../gateway/src/env') as typeof import('../../gateway/src/env');
  const env = loadGatewayEnv({
    NODE_ENV: 'production',
    LOG_LEVEL: 'info',
    HOST: '127.0.0.1',
    PORT: '0',
    GATEWAY_SIGNING_SECRET: config.signingSecret,
    JWT_PUBLIC_KEY: config.jwtPublicKey,
    CORS_ORIGINS: '',
    ...config.env,
  });
  const gateway = await createGateway({
    env,
    supergraphSdl: config.supergraphSdl,
    subgraphUrls: config.subgraphUrls,
    logger: createLogger('gateway', env.LOG_LEVEL),
  });
  const { url } = await gateway.listen(0, '127.0.0.1');
  return { url, stop: () => gateway.stop() };
}

async function startApollo(config: GatewayConfig): Promise<Started> {
  const { ApolloServer } = require('@apollo/server') as typeof import('@apollo/server');
  const { startStandaloneServer } = require('@apollo/server/standalone') as typeof import('@apollo/server/standalone');
  const { ApolloGateway, RemoteGraphQLDataSource } = require('@apollo/gateway') as typeof import('@apollo/gateway');
  const verifier = await AccessTokenVerifier.fromPem(config.jwtPublicKey);
  interface Context {
    caller: string;
    requestId: string;
  }
  class SigningDataSource extends RemoteGraphQLDataSource<Context> {
    constructor(url: string) {
      super({ url });
      // The data source's own default fetcher, wrapped: sign exactly the body it sends.
      const fetcher = this.fetcher;
      this.fetcher = (input, init) => {
        // RemoteGraphQLDataSource hands its fetcher a plain header object.
        const headers = (init?.headers ?? {}) as Record<string, string>;
        const body = typeof init?.body === 'string' ? init.body : '';
        const signature = signRequest(config.signingSecret, {
          callerHeader: headers[CALLER_HEADER] ?? '',
          requestId: headers[REQUEST_ID_HEADER] ?? '',
          body,
        });
        init = { ...init, headers: { ...headers, [SIGNATURE_HEADER]: signature } };
        return fetcher(input, init);
      };
    }
    override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<Context>) {
      const ctx = context as Partial<Context>;
      request.http?.headers.set(CALLER_HEADER, ctx.caller ?? encodeCaller({ identity: null, ip: null, userAgent: null }));
      request.http?.headers.set(REQUEST_ID_HEADER, ctx.requestId ?? randomUUID());
    }
  }
  const gateway = new ApolloGateway({
    supergraphSdl: config.supergraphSdl,
    buildService: ({ url }) => new SigningDataSource(url as string),
  });
  const server = new ApolloServer<Context>({ gateway });
  const { url } = await startStandaloneServer(server, {
    listen: { port: 0, host: '127.0.0.1' },
    context: async ({ req }) => ({
      caller: await callerOf(verifier, req.headers.authorization, req.socket.remoteAddress ?? null, req.headers['user-agent'] ?? null),
      requestId: randomUUID(),
    }),
  });
  return { url: new URL('/graphql', url).toString(), stop: () => server.stop() };
}

async function startHive(config: GatewayConfig): Promise<Started> {
  const { createGatewayRuntime } = require('@graphql-hive/gateway') as typeof import('@graphql-hive/gateway');
  const verifier = await AccessTokenVerifier.fromPem(config.jwtPublicKey);
  const callers = new WeakMap<object, Promise<string>>();
  const gateway = createGatewayRuntime({
    supergraph: config.supergraphSdl,
    logging: 'error',
    plugins: () => [
      {
        // Every subgraph fetch carries the caller, a request id and a signature over its body.
        onFetch({ context, options, setOptions }: { context: any; options: any; setOptions(o: any): void }) {
          const request = context?.request as Request | undefined;
          const key = (request ?? context) as object;
          let caller = callers.get(key);
          if (!caller) {
            caller = callerOf(verifier, request?.headers.get('authorization'), '127.0.0.1', request?.headers.get('user-agent') ?? null);
            callers.set(key, caller);
          }
          return caller.then((callerHeader) => {
            const headers = new Headers(options.headers as HeadersInit);
            const requestId = randomUUID();
            const body = typeof options.body === 'string' ? options.body : '';
            headers.set(CALLER_HEADER, callerHeader);
            headers.set(REQUEST_ID_HEADER, requestId);
            headers.set(SIGNATURE_HEADER, signRequest(config.signingSecret, { callerHeader, requestId, body }));
            setOptions({ ...options, headers: Object.fromEntries(headers) });
          });
        },
      },
    ],
  });
  const server = http.createServer(gateway);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    stop: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await gateway.dispose();
    },
  };
}

let started: Started | null = null;

process.on('message', (message: GatewayRequest) => {
  void (async () => {
    switch (message.type) {
      case 'start': {
        const { config } = message;
        started = await (config.kind === 'ours' ? startOurs(config) : config.kind === 'apollo' ? startApollo(config) : startHive(config));
        reply({ type: 'started', url: started.url });
        return;
      }
      case 'measure': {
        const cpu = process.cpuUsage();
        const measurement: GatewayMeasurement = { type: 'measured', cpuMs: (cpu.user + cpu.system) / 1000, rss: process.memoryUsage().rss };
        reply(measurement);
        return;
      }
      case 'stop':
        await Promise.race([started?.stop(), new Promise((r) => setTimeout(r, 3000))]);
        process.exit(0);
    }
  })().catch((err: unknown) => {
    console.error('[gateway-process]', err);
    process.exit(1);
  });
});
