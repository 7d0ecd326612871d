import type { NextFunction, Request, Response } from 'express';

/**
 * Headers for a JSON API that no page should frame, sniff or embed: nosniff, no framing, no
 * referrer, no caching of answers (they carry private data), a CSP that allows nothing (JSON needs
 * no scripts; the development landing page is exempt, as it is a page), and HSTS in production,
 * where the gateway is served over HTTPS.
 */
export function securityHeaders(options: { production: boolean; pagePaths?: (req: Request) => boolean }) {
  return (req: Request, res: Response, next: NextFunction) => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('Cross-Origin-Resource-Policy', 'same-site');
    if (req.method !== 'GET' || !options.pagePaths?.(req)) {
      res.setHeader('Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'");
      res.setHeader('Cache-Control', 'no-store');
    }
    if (options.production) res.setHeader('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
    next();
  };
}
