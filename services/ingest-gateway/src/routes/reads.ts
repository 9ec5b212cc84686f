import { Router, type Request, type Response } from 'express';
import { AppError, dec, isUuid, orderView, positionView, signalSummaryView, signalView, type ErrorDetail } from '@utm/contracts';
import { OrderStatus, SignalStatus } from '@utm/db';
import { authOf, type Authenticator } from '../auth/api-key-auth';
import { equityOf } from '../domain/equity';
import { enumParam, page, parsePage, throwIfInvalid } from '../domain/paging';
import type { ReadRepository } from '../repositories/read-repository';

const SIGNAL_STATUSES = Object.values(SignalStatus);
const ORDER_STATUSES = Object.values(OrderStatus);

/** GET endpoints of SPEC.md "Reading back". Another user's ids are 404, like unknown ones. */
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
    if (accountId !== undefined && typeof accountId !== 'string') details.push({ field: 'accountId', message: 'must be a string' });
    throwIfInvalid(details);
    if (typeof accountId === 'string') await authenticator.ownedAccount(auth, accountId);
    const rows = await reads.signals(auth.userId, { accountId: typeof accountId === 'string' ? accountId : undefined, status }, p);
    const { items, nextCursor } = page(rows, p.limit);
    res.json({ signals: items.map(signalSummaryView), nextCursor });
  });

  router.get('/api/v1/accounts/:accountId', async (req: Request<{ accountId: string }>, res: Response) => {
    const auth = authOf(res);
    const { accountId } = req.params;
    const account = isUuid(accountId) ? await reads.account(auth.userId, accountId) : null;
    if (!account) throw new AppError('ACCOUNT_NOT_FOUND', `Account ${accountId} not found`);
    const quotes = new Map((await reads.quotes(account.positions.map((p) => p.symbol))).map((q) => [q.symbol, q.price]));
    const equity = equityOf(
      account.cash,
      account.positions.map((p) => ({ quantity: p.quantity, avgPrice: p.avgPrice, mark: quotes.get(p.symbol) ?? null })),
    );
    res.json({
      accountId: account.id,
      name: account.name,
      mode: account.mode,
      broker: account.broker,
      tradingState: account.tradingState,
      cash: dec(account.cash),
      equity: dec(equity),
      positions: account.positions.map(positionView),
    });
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
