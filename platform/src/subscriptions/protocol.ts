import { randomUUID } from 'node:crypto';
import { encodeCaller, signRequest, verifyRequest, type Caller, type VerifyResult } from '../identity';

/**
 * How the gateway proves itself to a subgraph over graphql-ws (`graphql-transport-ws`), with the
 * same HMAC as its HTTP calls (`signRequest`/`verifyRequest`): a WebSocket message has no headers,
 * so the three signed headers of an HTTP call travel in the message itself.
 *
 * - `connection_init` payload: `{ gateway: SignedEnvelope }` over a fixed body. Without it the
 *   subgraph closes the socket with 4403 before anything else happens.
 * - each `subscribe` payload: `extensions.gateway: SignedEnvelope` over `subscribeBody(payload)`,
 *   carrying the caller (identity, ip, user agent) the subgraph authorizes that subscription and
 *   each of its events with. A subscribe without a valid envelope is refused with FORBIDDEN.
 *
 * Signatures are fresh for 60 s (identity.ts), so a captured message goes stale like a captured
 * HTTP request; the gateway signs every subscribe when it sends it.
 */
export interface SignedEnvelope {
  /** The `x-market-caller` header value: base64url JSON of the Caller. */
  caller: string;
  requestId: string;
  /** The `x-market-signature` header value. */
  signature: string;
}

export interface SubscribePayloadLike {
  query: string;
  operationName?: string | null;
  variables?: Record<string, unknown> | null;
  extensions?: Record<string, unknown> | null;
}

const CONNECTION_INIT_BODY = 'graphql-transport-ws connection_init';
/** The anonymous caller a connection is signed with; each subscription carries its own caller. */
const CONNECTION_CALLER: Caller = { identity: null, ip: null, userAgent: 'market-gateway' };

/**
 * The exact text a subscribe signature covers. Both sides compute it from the parsed payload
 * (JSON.stringify of JSON-parsed values is stable), so no raw bytes need to travel twice.
 */
export function subscribeBody(payload: SubscribePayloadLike): string {
  return JSON.stringify({ query: payload.query, operationName: payload.operationName ?? null, variables: payload.variables ?? {} });
}

export function signConnectionInit(secret: string, now?: number): { gateway: SignedEnvelope } {
  const caller = encodeCaller(CONNECTION_CALLER);
  const requestId = randomUUID();
  return {
    gateway: { caller, requestId, signature: signRequest(secret, { callerHeader: caller, requestId, body: CONNECTION_INIT_BODY, now }) },
  };
}

export function verifyConnectionInit(secret: string, params: unknown, now?: number): VerifyResult {
  const envelope = readEnvelope((params as { gateway?: unknown } | null | undefined)?.gateway);
  if (!envelope) return { ok: false, reason: 'missing gateway signature' };
  return verifyRequest(secret, {
    signatureHeader: envelope.signature,
    callerHeader: envelope.caller,
    requestId: envelope.requestId,
    body: CONNECTION_INIT_BODY,
    now,
  });
}

/** The subscribe payload the gateway sends: the operation plus the signed caller in `extensions.gateway`. */
export function signSubscribePayload(
  secret: string,
  operation: { query: string; operationName?: string | null; variables?: Record<string, unknown> | null },
  caller: Caller,
  requestId: string,
  now?: number,
): SubscribePayloadLike & { extensions: { gateway: SignedEnvelope } } {
  const payload = {
    query: operation.query,
    operationName: operation.operationName ?? null,
    variables: operation.variables ?? {},
  };
  const callerHeader = encodeCaller(caller);
  const signature = signRequest(secret, { callerHeader, requestId, body: subscribeBody(payload), now });
  return { ...payload, extensions: { gateway: { caller: callerHeader, requestId, signature } } };
}

export function verifySubscribePayload(
  secret: string,
  payload: SubscribePayloadLike,
  now?: number,
): (VerifyResult & { ok: true; requestId: string }) | (VerifyResult & { ok: false }) {
  const envelope = readEnvelope(payload.extensions?.['gateway']);
  if (!envelope) return { ok: false, reason: 'missing gateway signature' };
  const verdict = verifyRequest(secret, {
    signatureHeader: envelope.signature,
    callerHeader: envelope.caller,
    requestId: envelope.requestId,
    body: subscribeBody(payload),
    now,
  });
  return verdict.ok ? { ...verdict, requestId: envelope.requestId } : verdict;
}

function readEnvelope(value: unknown): SignedEnvelope | null {
  if (!value || typeof value !== 'object') return null;
  const { caller, requestId, signature } = value as Record<string, unknown>;
  if (typeof caller !== 'string' || typeof requestId !== 'string' || typeof signature !== 'string') return null;
  if (caller.length > 4096 || requestId.length > 128 || signature.length > 200) return null;
  return { caller, requestId, signature };
}
