import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { AppError, createIngestValidator, type IngestRequest } from '@utm/contracts';
import { apiKeyOf, type Authenticator, type AuthContext } from '../auth/api-key-auth';
import type { RateLimiter } from '../auth/rate-limiter';
import { requestHash } from '../domain/request-hash';
import { jsonBody } from '../http/body';
import { toAppError } from '../http/errors';
import type { GatewayMetrics } from '../metrics';
import { ExpiredKey, type NewSignal, type SignalWriter, type WriteResult } from '../repositories/signal-writer';

const validateIngest = createIngestValidator();
const MAX_IDEMPOTENCY_KEY = 128;

/** The idempotency key from the body field or the Idempotency-Key header (they must agree). */
export function idempotencyKeyOf(req: Request, body: IngestRequest): string | null {
  const header = req.get('idempotency-key');
  if (header !== undefined && (header.length === 0 || header.length > MAX_IDEMPOTENCY_KEY)) {
    throw new AppError('VALIDATION_ERROR', 'Invalid Idempotency-Key header', {
      details: [{ field: 'Idempotency-Key', message: `must be 1-${MAX_IDEMPOTENCY_KEY} characters` }],
    });
  }
  if (header !== undefined && body.idempotencyKey !== undefined && header !== body.idempotencyKey) {
    throw new AppError('VALIDATION_ERROR', 'Idempotency key given twice with different values', {
      details: [{ field: 'idempotencyKey', message: 'differs from the Idempotency-Key header' }],
    });
  }
  return body.idempotencyKey ?? header ?? null;
}

function checkMode(auth: AuthContext, accountMode: string, requested: string | undefined): void {
  if (requested !== undefined && requested !== auth.mode) {
    throw new AppError('MODE_MISMATCH', `Request mode ${requested} differs from the API key's mode ${auth.mode}`);
  }
  if (auth.mode !== accountMode) {
    throw new AppError('MODE_MISMATCH', `API key mode ${auth.mode} differs from the account's mode ${accountMode}`);
  }
}

export interface IngestDeps {
  authenticator: Authenticator;
  rateLimiter: RateLimiter;
  writer: SignalWriter;
  metrics: GatewayMetrics;
}

export const INGEST_PATH = '/api/v1/signals/ingest';

/**
 * The hot path's answer, written directly: res.json() adds content negotiation and
 * freshness checks that a webhook reply does not need.
 */
function sendJson(res: Response, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
}

function readJsonBody(req: Request, res: Response): Promise<void> {
  return new Promise((resolve, reject) => jsonBody(req, res, (err?: unknown) => (err ? reject(err) : resolve())));
}

/**
 * POST /api/v1/signals/ingest: auth → rate limit (counted while the body is read) → body →
 * validation → account → persist. One handler, registered first on the app: the hot path
 * walks no router layers.
 */
export function ingestHandler(deps: IngestDeps): RequestHandler {
  const accept = async (req: Request, res: Response): Promise<string> => {
    const auth = await deps.authenticator.authenticate(apiKeyOf(req));
    res.locals.auth = auth;
    const verdict = deps.rateLimiter.check(res);
    const bodyError = await readJsonBody(req, res).then(
      () => undefined,
      (err: unknown) => err,
    );
    const limited = await verdict;
    if (limited) throw limited;
    if (bodyError) throw bodyError;

    const checked = validateIngest(req.body);
    if (!checked.ok) throw new AppError('VALIDATION_ERROR', 'Request body is invalid', { details: checked.details });
    const body = checked.value;
    const idempotencyKey = idempotencyKeyOf(req, body);
    const account = await deps.authenticator.ownedAccount(auth, body.accountId);
    checkMode(auth, account.mode, body.mode);

    const signal: NewSignal = {
      id: randomUUID(),
      userId: auth.userId,
      accountId: account.accountId,
      request: body,
      idempotencyKey,
      // Only compared between requests that share a key.
      requestHash: idempotencyKey === null ? null : requestHash(body),
    };
    let result: WriteResult;
    try {
      result = await deps.writer.write(signal);
    } catch (err) {
      if (!(err instanceof ExpiredKey)) throw err;
      result = await deps.writer.releaseExpiredKey(err.signalId, signal);
    }

    switch (result.kind) {
      case 'created':
        sendJson(res, 202, {
          success: true,
          signalId: result.signalId,
          status: 'PENDING',
          message: 'Signal received and queued for processing',
        });
        return 'accepted';
      case 'duplicate':
        sendJson(res, 200, {
          success: true,
          signalId: result.signalId,
          status: result.status,
          message: 'Duplicate: this idempotency key and body were already received',
          duplicate: true,
        });
        return 'duplicate';
      case 'conflict':
        throw new AppError(
          'IDEMPOTENCY_CONFLICT',
          `Idempotency key already used with a different body (signal ${result.signalId})`,
        );
    }
  };

  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const started = process.hrtime.bigint();
    let outcome: string;
    try {
      outcome = await accept(req, res);
    } catch (err) {
      const appErr = toAppError(err);
      outcome = appErr.code;
      next(appErr);
    }
    deps.metrics.signalsReceived.inc({ outcome });
    deps.metrics.ingestDuration.observe({ outcome }, Number(process.hrtime.bigint() - started) / 1e9);
  };
}
