import { Router, type Request, type Response } from 'express';
import { AppError, isUuid } from '@utm/contracts';
import { setTradingState, TRADING_STATE_CHANGES, type Db, type TradingStateChangeName } from '@utm/db';
import type { Logger } from '@utm/logger';
import { authOf, type AuthContext, type Authenticator } from '../auth/api-key-auth';
import { accountDetailView, accountSummaryView, type Marks } from '../domain/account-views';
import { AccountRepository } from '../repositories/account-repository';

/**
 * The user's accounts (the console's Accounts pages, and scripts):
 *   GET  /api/v1/accounts                       → {accounts: [{accountId, name, mode, broker, cash, equity, tradingState}]}
 *   GET  /api/v1/accounts/:accountId            → the contract's account view plus tradingState, exit orders, open orders, fills
 *   POST /api/v1/accounts/:accountId/halt | reduce-only | resume → the account view after the change
 *     (422 MODE_MISMATCH when the key's mode is not the account's, as for signals)
 * Another user's account is 404 ACCOUNT_NOT_FOUND, exactly like an unknown one.
 */
export function accountsRouter(deps: { authenticator: Authenticator; db: Db; logger: Logger }): Router {
  const router = Router();
  const { authenticator } = deps;
  const accounts = new AccountRepository(deps.db);
  const log = deps.logger.child({ module: 'routes/accounts' });
  const auth = authenticator.middleware();

  async function marksFor(symbols: string[]): Promise<Marks> {
    return new Map((await accounts.quotes(symbols)).map((q) => [q.symbol, q.price]));
  }

  async function detail(a: AuthContext, accountId: string) {
    const account = isUuid(accountId) ? await accounts.account(a.userId, accountId) : null;
    if (!account) throw new AppError('ACCOUNT_NOT_FOUND', `Account ${accountId} not found`);
    const [marks, open, fills] = await Promise.all([
      marksFor(account.positions.map((p) => p.symbol)),
      accounts.openOrders(account.id),
      accounts.recentFills(account.id),
    ]);
    return accountDetailView(account, marks, open, fills);
  }

  router.get('/api/v1/accounts', auth, async (_req: Request, res: Response) => {
    const rows = await accounts.list(authOf(res).userId);
    const marks = await marksFor(rows.flatMap((a) => a.positions.map((p) => p.symbol)));
    res.json({ accounts: rows.map((a) => accountSummaryView(a, marks)) });
  });

  router.get('/api/v1/accounts/:accountId', auth, async (req: Request<{ accountId: string }>, res: Response) => {
    res.json(await detail(authOf(res), req.params.accountId));
  });

  for (const name of Object.keys(TRADING_STATE_CHANGES) as TradingStateChangeName[]) {
    router.post(
      `/api/v1/accounts/:accountId/${name}`,
      auth,
      async (req: Request<{ accountId: string }>, res: Response) => {
        const a = authOf(res);
        const { accountId } = req.params;
        const owned = await authenticator.ownedAccount(a, accountId);
        // As for signals (MODE_MISMATCH): a PAPER key must not halt or resume a LIVE account.
        if (owned.mode !== a.mode)
          throw new AppError('MODE_MISMATCH', `API key mode ${a.mode} differs from the account's mode ${owned.mode}`);
        const state = TRADING_STATE_CHANGES[name];
        const change = await setTradingState(deps.db.prisma, accountId, state, a.userId);
        if (!change) throw new AppError('ACCOUNT_NOT_FOUND', `Account ${accountId} not found`);
        log.info('trading state changed', { accountId, from: change.previous, to: state, keyId: a.keyId });
        res.json(await detail(a, accountId));
      },
    );
  }

  return router;
}
