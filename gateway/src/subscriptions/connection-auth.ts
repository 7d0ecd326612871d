import { CloseCode } from 'graphql-ws';
import { SESSION_ENDED_MESSAGE, type Identity } from '@market/platform';
import type { SessionVerifier } from '../edge/bearer-auth';

const TOKEN = /^[A-Za-z0-9._~+/=-]{1,8192}$/;

export const TOKEN_EXPIRED_REASON = 'Access token expired: refresh it and reconnect';

/**
 * Closes a socket whose session ended or whose token expired. 4403 (Forbidden), not 4401:
 * graphql-ws clients treat 4401 as fatal and never reconnect, while on 4403 they retry, and their
 * `connectionParams` can then fetch a fresh token (graphql-ws's own token-expiry recipe). A session
 * that really ended cannot be refreshed, so the retry fails its refresh and the app signs out.
 */
export const SESSION_CLOSE_CODE = CloseCode.Forbidden;

export type ConnectionAuth =
  | {
      ok: true;
      /** The verified token: its identity and when it was issued (seconds), null for an anonymous connection. */
      token: { identity: Identity; issuedAt: number } | null;
      /** ms since the epoch, null for an anonymous connection */
      expiresAt: number | null;
    }
  | { ok: false; code: number; reason: string };

/**
 * Who a graphql-ws connection speaks for, from its `connection_init` payload
 * (`{ authorization: 'Bearer <token>' }` or `{ token }`), verified like the HTTP `Authorization`
 * header. No token: anonymous (fields that need a user answer UNAUTHENTICATED).
 */
export async function authenticateConnection(
  params: Readonly<Record<string, unknown>> | undefined,
  verifier: SessionVerifier,
): Promise<ConnectionAuth> {
  const token = readToken(params);
  if (token === 'malformed') {
    return { ok: false, code: CloseCode.Unauthorized, reason: 'Send the access token as { authorization: "Bearer <token>" } or { token }' };
  }
  if (!token) return { ok: true, token: null, expiresAt: null };
  const verdict = await verifier.verify(token);
  if (!verdict.ok) {
    return {
      ok: false,
      // An expired token is refreshed by the client's connectionParams on the retry 4403 allows.
      code: verdict.reason === 'expired' ? SESSION_CLOSE_CODE : CloseCode.Unauthorized,
      reason:
        verdict.reason === 'expired'
          ? TOKEN_EXPIRED_REASON
          : verdict.reason === 'revoked'
            ? SESSION_ENDED_MESSAGE
            : 'Access token not valid: sign in again',
    };
  }
  return { ok: true, token: { identity: verdict.identity, issuedAt: verdict.issuedAt }, expiresAt: verdict.expiresAt * 1000 };
}

/** The token from a connection_init payload: undefined when none was sent. */
function readToken(params: Readonly<Record<string, unknown>> | undefined): string | undefined | 'malformed' {
  if (!params) return undefined;
  const authorization = params['authorization'] ?? params['Authorization'];
  if (authorization !== undefined) {
    const match = typeof authorization === 'string' ? /^Bearer (\S+)$/.exec(authorization) : null;
    return match?.[1] && TOKEN.test(match[1]) ? match[1] : 'malformed';
  }
  const token = params['token'];
  if (token !== undefined) return typeof token === 'string' && TOKEN.test(token) ? token : 'malformed';
  return undefined;
}
