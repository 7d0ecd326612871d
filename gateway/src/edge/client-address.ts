import type http from 'node:http';

const LOOPBACK = /^(127\.|::1$|::ffff:127\.)/;

/** As express computes req.ip with `trust proxy: loopback`: the nearest address that is not a local proxy. */
export function clientAddress(request: http.IncomingMessage): string | null {
  const remote = request.socket.remoteAddress ?? null;
  if (!remote || !LOOPBACK.test(remote)) return remote;
  const forwarded = request.headers['x-forwarded-for'];
  const hops = (Array.isArray(forwarded) ? forwarded.join(',') : (forwarded ?? '')).split(',').map((h) => h.trim()).filter(Boolean);
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i] as string;
    if (!LOOPBACK.test(hop) || i === 0) return hop.slice(0, 64);
  }
  return remote;
}
