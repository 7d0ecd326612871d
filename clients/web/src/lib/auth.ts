import { GRAPHQL_URL } from '../config';
import { documentText } from './documents';
import { RefreshSessionDocument } from '../generated/graphql';

/** A signed-in session as the API hands it out (AuthPayload). */
export interface Session {
  accessToken: string;
  accessTokenExpiresAt: string;
  refreshToken: string;
  userId: string;
  name: string;
}

const KEY = 'market.session';
type Listener = (session: Session | null) => void;
const listeners = new Set<Listener>();
let current: Session | null = read();
let refreshing: Promise<Session | null> | null = null;

function read(): Session | null {
  try {
    const raw = localStorage.getItem(KEY);
    return raw ? (JSON.parse(raw) as Session) : null;
  } catch {
    return null;
  }
}

export function getSession(): Session | null {
  return current;
}

export function setSession(session: Session | null): void {
  current = session;
  if (session) localStorage.setItem(KEY, JSON.stringify(session));
  else localStorage.removeItem(KEY);
  for (const l of listeners) l(session);
}

export function onSessionChange(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Seconds before expiry at which a token is refreshed ahead of use. */
const EARLY_SECONDS = 5;

function expiresSoon(session: Session): boolean {
  return new Date(session.accessTokenExpiresAt).getTime() - Date.now() < EARLY_SECONDS * 1000;
}

/** The access token to send now: refreshed first when it is about to expire. */
export async function accessToken(): Promise<string | null> {
  const session = current;
  if (!session) return null;
  if (!expiresSoon(session)) return session.accessToken;
  return (await refresh())?.accessToken ?? null;
}

/**
 * Exchanges the refresh token for a new pair. Concurrent callers (the HTTP link and the socket at
 * the moment a token expires) share one request: the API rotates refresh tokens, and its grace window
 * covers a tab that raced another.
 */
export function refresh(): Promise<Session | null> {
  refreshing ??= doRefresh().finally(() => {
    refreshing = null;
  });
  return refreshing;
}

async function doRefresh(): Promise<Session | null> {
  const session = current;
  if (!session) return null;
  try {
    const res = await fetch(GRAPHQL_URL, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: documentText(RefreshSessionDocument), variables: { refreshToken: session.refreshToken } }),
    });
    const body = (await res.json()) as {
      data?: {
        refreshSession: {
          __typename: string;
          accessToken?: string;
          accessTokenExpiresAt?: string;
          refreshToken?: string;
          user?: { id: string; name: string };
        };
      };
    };
    const result = body.data?.refreshSession;
    if (result?.__typename === 'AuthPayload' && result.accessToken && result.refreshToken && result.accessTokenExpiresAt && result.user) {
      const next = {
        accessToken: result.accessToken,
        accessTokenExpiresAt: result.accessTokenExpiresAt,
        refreshToken: result.refreshToken,
        userId: result.user.id,
        name: result.user.name,
      };
      // Another refresh (or a sign-out) may have replaced the session meanwhile: keep the newest.
      if (current?.refreshToken === session.refreshToken) setSession(next);
      return current;
    }
    if (result) setSession(null); // InvalidRefreshToken or AccountSuspended: the session is over.
    return null;
  } catch {
    return current; // The network failed: keep the session and let the caller retry.
  }
}
