import { existsSync } from 'node:fs';
import path from 'node:path';
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import { AppError, errorBody } from '@utm/contracts';

export const CONSOLE_BASE = '/app';

// The console talks only to this origin; no inline script or style, no framing.
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * Where the built web console is: the dist/ of the @utm/web-console package (a dependency of
 * this one, so it is installed and built with the gateway), when it has been built.
 */
export function resolveConsoleDir(): string | null {
  try {
    const dir = path.join(path.dirname(require.resolve('@utm/web-console/package.json')), 'dist');
    return existsSync(path.join(dir, 'index.html')) ? dir : null;
  } catch {
    return null; // not installed: the gateway runs without the console
  }
}

function securityHeaders(_req: Request, res: Response, next: NextFunction): void {
  res.setHeader('Content-Security-Policy', CSP);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('X-Frame-Options', 'DENY');
  next();
}

function redirectToConsole(req: Request, res: Response): void {
  const q = req.originalUrl.indexOf('?');
  res.redirect(302, `${CONSOLE_BASE}/${q >= 0 ? req.originalUrl.slice(q) : ''}`);
}

/**
 * The web console under /app/ (and / redirects there). Hashed assets are cached for a year;
 * index.html is never cached, so a deploy is picked up at the next navigation. Any other
 * path under /app/ is a client route: index.html. Without a built console, /app/ says so (503).
 */
export function consoleRouter(opts: { dir: string | null }): Router {
  const router = Router();
  router.get('/', redirectToConsole);
  router.get(CONSOLE_BASE, (req, res, next) => (req.path === CONSOLE_BASE ? redirectToConsole(req, res) : next()));

  const { dir } = opts;
  if (!dir) {
    // Answered here, not thrown: the gateway warned once at start; this is no request failure to log.
    const notBuilt = new AppError(
      'SERVICE_UNAVAILABLE',
      'The web console is not built (services/web-console/dist is missing): run `npm run build`',
    );
    router.get(`${CONSOLE_BASE}/{*path}`, (_req, res) => {
      res.status(notBuilt.httpStatus).json(errorBody(notBuilt));
    });
    return router;
  }

  router.use(
    `${CONSOLE_BASE}/assets`,
    securityHeaders,
    express.static(path.join(dir, 'assets'), { index: false, redirect: false, immutable: true, maxAge: '365d' }),
  );
  router.use(`${CONSOLE_BASE}/assets`, (req, _res, next) =>
    next(new AppError('NOT_FOUND', `No console asset ${req.path}`)),
  );
  const noCache = (res: Response) => res.setHeader('Cache-Control', 'no-cache');
  router.use(
    CONSOLE_BASE,
    securityHeaders,
    express.static(dir, { index: false, redirect: false, setHeaders: noCache }),
  );
  router.get(`${CONSOLE_BASE}/{*path}`, (_req, res, next) => {
    noCache(res);
    res.sendFile(path.join(dir, 'index.html'), { cacheControl: false }, (err) => err && next(err));
  });
  return router;
}
