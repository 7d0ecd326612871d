import type http from 'node:http';
import { isIP } from 'node:net';
import type express from 'express';

/**
 * Which proxies in front of the gateway are trusted to say who the client is (X-Forwarded-For):
 * false trusts none (the default: the client is the socket's peer), a number trusts that many hops
 * in front, a list trusts those addresses and CIDR ranges (and express's names `loopback`,
 * `linklocal`, `uniquelocal`). Behind a load balancer, without it every user would share one
 * address's limits; with too much of it, anyone could pick their own address by sending the header.
 */
export type TrustProxy = false | number | string[];

const NAMED = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** TRUST_PROXY: empty or 0 trusts nothing; an integer is a hop count; else a comma list of addresses, CIDRs or names. */
export function parseTrustProxy(value: string | undefined): TrustProxy | { error: string } {
  const text = (value ?? '').trim();
  if (text === '' || text === '0' || text === 'false') return false;
  if (/^\d+$/.test(text)) return Number(text);
  const list = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const entry of list) {
    const [address, bits, ...rest] = entry.split('/');
    const family = isIP(address ?? '');
    const okBits = bits === undefined || (/^\d+$/.test(bits) && Number(bits) <= (family === 6 ? 128 : 32));
    if (!NAMED.has(entry) && (rest.length > 0 || family === 0 || !okBits)) {
      return { error: `"${entry}" is neither a hop count, an IP address, a CIDR range nor one of loopback, linklocal, uniquelocal` };
    }
  }
  return list;
}

/**
 * Sets express's `trust proxy` (so `req.ip` follows it) and returns the same computation for requests
 * express does not see (WebSocket upgrades): walking X-Forwarded-For from the nearest hop while the
 * hop is trusted, as express does.
 */
export function trustProxies(app: express.Express, trust: TrustProxy): (request: http.IncomingMessage) => string | null {
  app.set('trust proxy', trust);
  const trusted = app.get('trust proxy fn') as (address: string, hop: number) => boolean;
  return (request) => {
    const remote = request.socket.remoteAddress;
    if (!remote) return null;
    const forwarded = request.headers['x-forwarded-for'];
    const hops = (Array.isArray(forwarded) ? forwarded.join(',') : (forwarded ?? ''))
      .split(',')
      .map((h) => h.trim())
      .filter(Boolean)
      .reverse();
    const chain = [remote, ...hops];
    for (let i = 0; i < chain.length - 1; i++) {
      if (!trusted(chain[i] as string, i)) return (chain[i] as string).slice(0, 64);
    }
    return (chain[chain.length - 1] as string).slice(0, 64);
  };
}

/** The peer's own address: what a WebSocket upgrade's client is when no proxy is trusted. */
export function clientAddress(request: http.IncomingMessage): string | null {
  return request.socket.remoteAddress ?? null;
}
