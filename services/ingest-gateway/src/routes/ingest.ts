import { randomUUID } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import { AppError, createIngestValidator, type IngestRequest } from '@utm/contracts';
import type { Authenticator, AuthContext } from '../auth/api-key-auth';
import { authOf } from '../auth/api-key-auth';
import type { RateLimiter } from '../auth/rate-limiter';
import { requestHash } from '../domain/request-hash';
import { jsonBody } from '../http/body';
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

/** POST /api/v1/signals/ingest: auth → rate limit → body → validation → account → persist. */
export function ingestRouter(deps: IngestDeps): Router {
  const router = Router();

  const handle = async (req: Request, res: Response): Promise<void> => {
    const auth = authOf(res);
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
      requestHash: requestHash(body),
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
        res.locals.outcome = 'accepted';
        res.status(202).json({ success: true, signalId: result.signalId, status: 'PENDING', message: 'Signal received and queued for processing' });
        return;
      case 'duplicate':
        res.locals.outcome = 'duplicate';
        res.status(200).json({
          success: true,
          signalId: result.signalId,
          status: result.status,
          message: 'Duplicate: this idempotency key and body were already received',
          duplicate: true,
        });
        return;
      case 'conflict':
        throw new AppError('IDEMPOTENCY_CONFLICT', `Idempotency key already used with a different body (signal ${result.signalId})`);
    }
  };

  router.post('/api/v1/signals/ingest', (req, res, next) => {
    const started = process.hrtime.bigint();
    res.once('finish', () => {
      const outcome = String(res.locals.outcome ?? res.locals.errorCode ?? res.statusCode);
      deps.metrics.signalsReceived.inc({ outcome });
      deps.metrics.ingestDuration.observe({ outcome }, Number(process.hrtime.bigint() - started) / 1e9);
    });
    next();
  });
  router.post('/api/v1/signals/ingest', deps.authenticator.middleware(), deps.rateLimiter.middleware(), jsonBody, handle);
  return router;
}
