import { Router, type Request, type Response } from 'express';
import {
  AppError,
  ORDER_STATUSES,
  SIGNAL_STATUSES,
  isUuid,
  orderView,
  signalSummaryView,
  signalView,
  SYMBOL_PATTERN,
  type ErrorDetail,
} from '@utm/contracts';
import { authOf, type Authenticator } from '../auth/api-key-auth';
import { enumParam, page, parsePage, throwIfInvalid } from '../domain/paging';
import type { ReadRepository } from '../repositories/read-repository';

const SYMBOL = new RegExp(SYMBOL_PATTERN);

/**
 * GET endpoints of docs/contract.md "Reading back" (the account view is in routes/accounts.ts). Another
 * user's ids are 404, like unknown ones. The signal list also filters by `symbol`.
 */
export function readRouter(deps: { authenticator: Authenticator; reads: ReadRepository }): Router {
  const router = Router();
  const { authenticator, reads } = deps;
  router.use('/api/v1', authenticator.middleware());

  router.get('/api/v1/signals/:signalId', async (req: Request<{ signalId: string }>, res: Response) => {
    const auth = authOf(res);
    const { signalId } = req.params;
    const signal = isUuid(signalId) ? await reads.signal(auth.userId, signalId) : null;
    if (!signal) throw new AppError('SIGNAL_NOT_FOUND', `Signal ${signalId} not found`);
    res.json(signalView(signal));
  });

  router.get('/api/v1/signals', async (req: Request, res: Response) => {
    const auth = authOf(res);
    const q = req.query as Record<string, unknown>;
    const details: ErrorDetail[] = [];
    const p = parsePage(q, details);
    const status = enumParam(q, 'status', SIGNAL_STATUSES, details);
    const accountId = q.accountId;
    if (accountId !== undefined && typeof accountId !== 'string')
      details.push({ field: 'accountId', message: 'must be a string' });
    const symbol = q.symbol;
    if (symbol !== undefined && (typeof symbol !== 'string' || !SYMBOL.test(symbol)))
      details.push({ field: 'symbol', message: 'must be a symbol like AAPL (uppercase)' });
    throwIfInvalid(details);
    if (typeof accountId === 'string') await authenticator.ownedAccount(auth, accountId);
    const filter = {
      accountId: typeof accountId === 'string' ? accountId : undefined,
      status,
      symbol: typeof symbol === 'string' ? symbol : undefined,
    };
    const rows = await reads.signals(auth.userId, filter, p);
    const { items, nextCursor } = page(rows, p.limit);
    res.json({ signals: items.map(signalSummaryView), nextCursor });
  });

  router.get('/api/v1/accounts/:accountId/orders', async (req: Request<{ accountId: string }>, res: Response) => {
    const auth = authOf(res);
    const q = req.query as Record<string, unknown>;
    const details: ErrorDetail[] = [];
    const p = parsePage(q, details);
    const status = enumParam(q, 'status', ORDER_STATUSES, details);
    throwIfInvalid(details);
    const account = await authenticator.ownedAccount(auth, req.params.accountId);
    const rows = await reads.orders(account.accountId, status, p);
    const { items, nextCursor } = page(rows, p.limit);
    res.json({ orders: items.map((o) => orderView(o)), nextCursor });
  });

  return router;
}
