import type { NextFunction, Request, Response } from 'express';
import { AppError, errorBody } from '@utm/contracts';
import type { Logger } from '@utm/logger';
import { requestIdOf } from './request-id';

/**
 * The one place where failures become HTTP responses. AppErrors carry their code; body
 * parser errors, database and Redis outages are classified here; anything else is a 500
 * whose body says nothing about internals (no stack, no SQL).
 */

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EPIPE',
  'EAI_AGAIN',
  // Prisma: can't reach / timed out / closed.
  'P1001',
  'P1002',
  'P1008',
  'P1017',
  'P2024',
]);

function codeOf(err: unknown): string | undefined {
  if (err && typeof err === 'object' && 'code' in err) {
    const code = (err as { code: unknown }).code;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}

/** True for errors meaning Postgres or Redis is unreachable, overloaded or shutting down. */
export function isDependencyDown(err: unknown, depth = 0): boolean {
  if (!err || typeof err !== 'object' || depth > 5) return false;
  const code = codeOf(err);
  // 08 connection, 53 resources, 57P shutdown, 57014 statement timeout, 55P03 lock timeout.
  if (code && (CONNECTION_CODES.has(code) || /^(08|53|57P|57014|55P03)/.test(code))) return true;
  const message = err instanceof Error ? err.message : '';
  if (
    /timeout exceeded when trying to connect|Connection terminated|connect ECONNREFUSED|Stream isn't writeable|Connection is closed|Cannot reach database|the database system is (starting up|shutting down)/i.test(
      message,
    )
  ) {
    return true;
  }
  const cause = (err as { cause?: unknown }).cause;
  return cause !== undefined && isDependencyDown(cause, depth + 1);
}

export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  const type = err && typeof err === 'object' && 'type' in err ? String((err as { type: unknown }).type) : '';
  switch (type) {
    case 'entity.too.large':
      return new AppError('PAYLOAD_TOO_LARGE', 'Request body exceeds 16 KiB');
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new AppError('UNSUPPORTED_MEDIA_TYPE', 'Unsupported body encoding; send UTF-8 JSON');
    case 'request.aborted':
    case 'request.size.invalid':
      return new AppError('VALIDATION_ERROR', 'Request body was incomplete', {
        details: [{ field: 'body', message: 'is incomplete' }],
      });
  }
  if (isDependencyDown(err)) {
    return new AppError(
      'SERVICE_UNAVAILABLE',
      'A dependency is unavailable; the request was not accepted. Retry later.',
      { cause: err },
    );
  }
  return new AppError('INTERNAL_ERROR', 'Internal error', { cause: err });
}

export function errorHandler(logger: Logger) {
  const log = logger.child({ module: 'http/errors' });
  // Express recognises error handlers by their four parameters.
  return (err: unknown, req: Request, res: Response, _next: NextFunction): void => {
    const appErr = toAppError(err);
    res.locals.errorCode = appErr.code;
    const meta = { requestId: requestIdOf(res), method: req.method, path: req.path, code: appErr.code };
    if (appErr.httpStatus >= 500) {
      log.error('request failed', { ...meta, err: appErr.cause ?? appErr });
    } else {
      log.debug('request refused', { ...meta, message: appErr.message });
    }
    if (res.headersSent) {
      res.end();
      return;
    }
    for (const [k, v] of Object.entries(appErr.headers ?? {})) res.setHeader(k, v);
    res.status(appErr.httpStatus).json(errorBody(appErr));
  };
}

export function notFound(req: Request, _res: Response, next: NextFunction): void {
  next(new AppError('NOT_FOUND', `No route for ${req.method} ${req.path}`));
}
