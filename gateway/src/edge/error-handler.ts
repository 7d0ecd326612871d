import type { NextFunction, Request, Response } from 'express';
import type { Logger } from '@market/platform';
import { countRefusal } from './metrics';

/** Express's errors before GraphQL (body too large, malformed JSON) as GraphQL-shaped answers. */
export function httpErrorHandler(logger: Logger, maxBodyBytes: number) {
  return (err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const status = (err as { status?: number }).status ?? 500;
    if (status >= 500) logger.error({ err }, 'gateway request failed');
    if (status === 413) countRefusal('body_size');
    const message =
      status === 413
        ? `Request body too large: the limit is ${maxBodyBytes} bytes.`
        : status === 400
          ? 'Malformed request body: send JSON like {"query": "...", "variables": {...}}.'
          : 'Internal server error.';
    res.status(status).json({ errors: [{ message, extensions: { code: status === 500 ? 'INTERNAL_SERVER_ERROR' : 'BAD_REQUEST' } }] });
  };
}
