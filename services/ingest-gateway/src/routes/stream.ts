import { Router, type Request, type Response } from 'express';
import { AppError } from '@utm/contracts';
import { authOf, type Authenticator } from '../auth/api-key-auth';
import type { SignalFeed } from '../stream/signal-feed';

export const STREAM_PATH = '/api/v1/signals/stream';
// Beyond this many unsent bytes the client is not reading: end the stream (it resumes later).
const MAX_BUFFERED_BYTES = 1 << 20;
const MAX_EVENT_ID = (1n << 63n) - 1n;

/** Last-Event-ID: the header (the browser's own reconnection) wins over `?lastEventId=` (ours). */
export function lastEventIdOf(req: Request): bigint | null {
  const header = req.get('last-event-id');
  const query = req.query.lastEventId;
  const raw =
    header !== undefined && header !== '' ? header : typeof query === 'string' && query !== '' ? query : undefined;
  if (raw === undefined) return null;
  const id = /^\d{1,19}$/.test(raw) ? BigInt(raw) : null;
  if (id === null || id > MAX_EVENT_ID) {
    throw new AppError('VALIDATION_ERROR', 'Invalid Last-Event-ID', {
      details: [{ field: 'Last-Event-ID', message: 'must be an event id sent by this stream' }],
    });
  }
  return id;
}

/**
 * GET /api/v1/signals/stream: server-sent events of the key's user's signals (`event: signal`,
 * data {signal, event}), `ready` on connect, `reset` when a resume is too far back, a heartbeat
 * comment every 15 s. Auth like every read: X-API-Key, or ?apiKey= for EventSource (never logged).
 */
export function streamRouter(deps: { authenticator: Authenticator; feed: SignalFeed }): Router {
  const router = Router();
  router.get(STREAM_PATH, deps.authenticator.middleware(), async (req: Request, res: Response) => {
    const auth = authOf(res);
    const lastEventId = lastEventIdOf(req);
    // The client may leave while we are still replaying: leave the feed as soon as we joined.
    const client: { gone: boolean; leave?: () => void } = { gone: false };
    res.on('close', () => {
      client.gone = true;
      client.leave?.();
      // A client that hung up may leave its socket half-open: do not keep our side.
      if (!res.writableEnded) res.destroy();
    });
    client.leave = await deps.feed.subscribe(auth.userId, lastEventId, {
      open: () => {
        res.status(200);
        res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
        res.setHeader('Cache-Control', 'no-cache, no-transform');
        // The socket is not reused after a stream: it closes with it (and with the gateway).
        res.setHeader('Connection', 'close');
        res.setHeader('X-Accel-Buffering', 'no'); // nginx: do not buffer the stream
        res.flushHeaders();
      },
      write: (chunk) => {
        if (res.destroyed || res.writableEnded) return false;
        res.write(chunk);
        return res.writableLength <= MAX_BUFFERED_BYTES;
      },
      end: () =>
        new Promise<void>((resolve) => {
          if (res.writableFinished || res.destroyed) return resolve();
          res.once('close', () => resolve());
          res.end();
        }),
    });
    if (client.gone) client.leave();
  });
  return router;
}
