import { createHash, timingSafeEqual } from 'node:crypto';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { Queue } from 'bullmq';
import type { Express, NextFunction, Request, Response } from 'express';
import type { RedisConnection } from '@utm/queue';
import { AppError, JOBS } from '@utm/contracts';
import type { Logger } from '@utm/logger';

/**
 * Bull Board (the BullMQ dashboard) for the signals and orders queues, under /admin/queues,
 * behind ADMIN_TOKEN. API clients send `Authorization: Bearer <token>`; a browser, which
 * cannot set headers on navigation, gets an HTTP Basic challenge: any user name, the token
 * as password. Without ADMIN_TOKEN the board is off (404 saying so).
 */
export const ADMIN_QUEUES_PATH = '/admin/queues';

const CHALLENGE = 'Basic realm="utm queue board", charset="UTF-8"';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

/** The token of `Authorization: Bearer <token>`, or the password of `Authorization: Basic …`. */
export function presentedToken(header: string | undefined): string | undefined {
  const m = /^(bearer|basic)\s+(\S+)\s*$/i.exec(header ?? '');
  if (!m?.[1] || !m[2]) return undefined;
  if (m[1].toLowerCase() === 'bearer') return m[2];
  const decoded = Buffer.from(m[2], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : decoded.slice(colon + 1);
}

/**
 * Constant time: both sides are hashed to 32 bytes first, so the comparison leaks neither
 * a matching prefix nor the token's length.
 */
export function tokenMatches(expectedDigest: Buffer, presented: string | undefined): boolean {
  return presented !== undefined && timingSafeEqual(expectedDigest, digest(presented));
}

function requireAdmin(token: string, log: Logger) {
  const expected = digest(token);
  return (req: Request, res: Response, next: NextFunction): void => {
    res.setHeader('Cache-Control', 'no-store');
    if (!tokenMatches(expected, presentedToken(req.get('authorization')))) {
      next(
        new AppError(
          'INVALID_ADMIN_TOKEN',
          'Admin token missing or wrong: send "Authorization: Bearer <ADMIN_TOKEN>", or sign in with any user name and the token as password',
          {
            headers: { 'WWW-Authenticate': CHALLENGE },
          },
        ),
      );
      return;
    }
    // Browsers resend Basic credentials on their own: refuse writes that another site started.
    const site = req.get('sec-fetch-site');
    if (!SAFE_METHODS.has(req.method) && site !== undefined && site !== 'same-origin' && site !== 'none') {
      next(new AppError('CROSS_SITE_REQUEST', 'Cross-site requests to the queue board are refused'));
      return;
    }
    if (!SAFE_METHODS.has(req.method)) {
      res.on('finish', () =>
        log.info('queue board action', {
          method: req.method,
          path: req.originalUrl.split('?')[0],
          status: res.statusCode,
        }),
      );
    }
    next();
  };
}

export interface AdminQueuesDeps {
  /** ADMIN_TOKEN; undefined turns the board off. */
  token: string | undefined;
  /** A fail-fast connection for the board's reads and actions. */
  connection: RedisConnection;
  queuePrefix: string;
  logger: Logger;
}

export interface AdminQueues {
  /** Mounts the board (or the "board is off" answer) on the gateway's app. */
  mount(app: Express): void;
  close(): Promise<void>;
}

/** True when the Queue's one-time initialisation (Redis version check) has already failed. */
async function initFailed(queue: Queue): Promise<boolean> {
  return Promise.race([
    queue.waitUntilReady().then(
      () => false,
      () => true,
    ),
    new Promise<boolean>((resolve) => setImmediate(() => resolve(false))),
  ]);
}

export function adminQueues(deps: AdminQueuesDeps): AdminQueues {
  const { token } = deps;
  if (!token) {
    return {
      mount: (app) =>
        app.use(ADMIN_QUEUES_PATH, (_req, _res, next) =>
          next(new AppError('NOT_FOUND', 'The queue board is off: set ADMIN_TOKEN on the gateway to turn it on')),
        ),
      close: async () => undefined,
    };
  }
  const log = deps.logger.child({ module: 'admin-queues' });
  const names = [JOBS.signals.queue, JOBS.orders.queue];
  const open = (name: string): Queue => {
    const queue = new Queue(name, { connection: deps.connection, prefix: deps.queuePrefix });
    queue.on('error', (err) => log.warn('queue board: Redis error', { queue: name, err }));
    return queue;
  };
  let queues = names.map(open);
  const serverAdapter = new ExpressAdapter().setBasePath(ADMIN_QUEUES_PATH);
  const board = createBullBoard({
    queues: queues.map((q) => new BullMQAdapter(q)),
    serverAdapter,
    options: { uiConfig: { boardTitle: 'utm queues', hideDocsLink: true } },
  });
  const boardApp = serverAdapter.getRouter() as Express;
  boardApp.disable('x-powered-by');

  // BullMQ checks Redis once per Queue; a Queue whose check failed (Redis dropped at that
  // instant) stays unusable, so it is replaced (as @utm/queue's Producer does).
  const usable = async (_req: Request, _res: Response, next: NextFunction): Promise<void> => {
    const failed = await Promise.all(queues.map(initFailed));
    if (failed.some(Boolean)) {
      const broken = queues.filter((_, i) => failed[i]);
      queues = queues.map((q, i) => (failed[i] ? open(names[i] ?? q.name) : q));
      board.replaceQueues(queues.map((q) => new BullMQAdapter(q)));
      for (const q of broken)
        q.close().catch((err: unknown) => log.debug('closing a broken board queue failed', { err }));
    }
    next();
  };

  return {
    // app.use (not a Router) so that Express mounts the board as a sub-app and restores the
    // request's prototype when it hands an error back to the gateway's error handler.
    mount: (app) => app.use(ADMIN_QUEUES_PATH, requireAdmin(token, log), usable, boardApp),
    close: async () => {
      await Promise.all(queues.map((q) => q.close()));
    },
  };
}
