import type { NextFunction, Request, Response } from 'express';
import { AppError, errorBody } from '@utm/contracts';
import type { Logger } from '@utm/logger';

/** Still answered while draining: liveness, readiness (503 by itself then), metrics. */
const OPS_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

const REFUSAL = new AppError(
  'SERVICE_UNAVAILABLE',
  'This gateway is shutting down; the request was not accepted. Retry it: another replica, or this one restarted, will take it.',
);

/**
 * The HTTP half of a graceful stop. Requests are counted while in flight; once draining
 * begins, a request that arrives (on a new or a kept-alive connection) is answered 503
 * SERVICE_UNAVAILABLE before anything is read or written, the requests in flight finish,
 * and every response from then on carries `Connection: close`, so that no kept-alive
 * connection outlives its last request. Only then does the caller close the listener.
 */
export class HttpDrain {
  private draining = false;
  private readonly inFlight = new Set<Response>();
  private readonly waiters = new Set<() => void>();
  private readonly log: Logger;

  constructor(
    logger: Logger,
    /** Called for each request refused because of the drain (e.g. a metric). */
    private readonly onRefused: (req: Request) => void = () => undefined,
  ) {
    this.log = logger.child({ module: 'http/drain' });
  }

  get isDraining(): boolean {
    return this.draining;
  }

  /** Mount right after the request id, before every route. */
  readonly middleware = (req: Request, res: Response, next: NextFunction): void => {
    if (this.draining) {
      res.setHeader('Connection', 'close');
      if (req.method === 'GET' && OPS_PATHS.has(req.path)) return next();
      this.onRefused(req);
      const text = JSON.stringify(errorBody(REFUSAL));
      res.writeHead(REFUSAL.httpStatus, {
        'Content-Type': 'application/json; charset=utf-8',
        'Content-Length': Buffer.byteLength(text),
        'Retry-After': '1',
      });
      res.end(text);
      return;
    }
    this.inFlight.add(res);
    res.once('close', () => {
      this.inFlight.delete(res);
      if (this.inFlight.size === 0) for (const wake of this.waiters) wake();
    });
    next();
  };

  /**
   * Stops intake and resolves when the requests in flight have finished, or after
   * `timeoutMs`; returns how many were still unfinished then.
   */
  async drain(timeoutMs: number): Promise<number> {
    this.draining = true;
    for (const res of this.inFlight) if (!res.headersSent) res.setHeader('Connection', 'close');
    if (this.inFlight.size)
      this.log.info('draining: finishing the requests in flight, refusing new ones', { inFlight: this.inFlight.size });
    if (this.inFlight.size === 0) return 0;
    let timer: NodeJS.Timeout | undefined;
    let wake: (() => void) | undefined;
    await new Promise<void>((resolve) => {
      wake = resolve;
      this.waiters.add(resolve);
      timer = setTimeout(resolve, timeoutMs);
    });
    clearTimeout(timer);
    if (wake) this.waiters.delete(wake);
    if (this.inFlight.size)
      this.log.warn('drain timed out; closing the connections of the requests still in flight', {
        inFlight: this.inFlight.size,
        timeoutMs,
      });
    return this.inFlight.size;
  }
}
