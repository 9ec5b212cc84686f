import express, { type NextFunction, type Request, type Response } from 'express';
import { AppError } from '@utm/contracts';

/** Bodies over 16 KiB are refused with 413 (docs/contract.md). */
export const BODY_LIMIT_BYTES = 16 * 1024;

// JSON, and text/plain that holds JSON (TradingView alerts send that).
const ACCEPTED_TYPES = ['application/json', 'application/*+json', 'text/plain'];

const readText = express.text({ type: ACCEPTED_TYPES, limit: BODY_LIMIT_BYTES, defaultCharset: 'utf-8' });

function hasBody(req: Request): boolean {
  return req.get('transfer-encoding') !== undefined || Number(req.get('content-length') ?? 0) > 0;
}

/**
 * Reads the body as text and parses it as JSON, so that both content types take one path:
 * 415 for other types, 413 above the limit, 400 VALIDATION_ERROR (field "body") for
 * malformed JSON.
 */
export function jsonBody(req: Request, res: Response, next: NextFunction): void {
  if (!hasBody(req)) {
    next(
      new AppError('VALIDATION_ERROR', 'Request body is required', {
        details: [{ field: 'body', message: 'is required (a JSON object)' }],
      }),
    );
    return;
  }
  if (!req.is(ACCEPTED_TYPES)) {
    next(new AppError('UNSUPPORTED_MEDIA_TYPE', 'Content-Type must be application/json or text/plain holding JSON'));
    return;
  }
  readText(req, res, (err?: unknown) => {
    if (err) {
      next(err);
      return;
    }
    const text = typeof req.body === 'string' ? req.body : '';
    try {
      req.body = JSON.parse(text) as unknown;
    } catch (e) {
      next(
        new AppError('VALIDATION_ERROR', 'Malformed JSON body', {
          details: [{ field: 'body', message: `is not valid JSON: ${(e as Error).message}` }],
        }),
      );
      return;
    }
    next();
  });
}
