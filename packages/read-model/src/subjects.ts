import { orderView, signalView, type OrderView, type SignalView } from '@utm/contracts';
import type { Db } from '@utm/db';
import { AccountRepository } from './account-repository';
import { accountDetailView, type Marks } from './account-views';

/** How a signal is read with its orders (and their fills) and events, as GET /api/v1/signals/:id shows it. */
export const SIGNAL_DETAIL = {
  orders: { orderBy: { seq: 'asc' }, include: { fills: { orderBy: { at: 'asc' } } } },
  events: { orderBy: { id: 'asc' } },
} as const;

/**
 * The objects of the read API, loaded by id: GET /api/v1/signals/:id, an order as listed in
 * it, GET /api/v1/accounts/:id. `userId` limits the read to that user's rows (null when not theirs).
 */
export class Subjects {
  private readonly accounts: AccountRepository;

  constructor(private readonly db: Db) {
    this.accounts = new AccountRepository(db);
  }

  async signal(signalId: string, userId?: string): Promise<SignalView | null> {
    const s = await this.db.prisma.signal.findFirst({
      where: { id: signalId, ...(userId ? { userId } : {}) },
      include: SIGNAL_DETAIL,
    });
    return s ? signalView(s) : null;
  }

  async order(orderId: string): Promise<OrderView | null> {
    const o = await this.db.prisma.order.findUnique({
      where: { id: orderId },
      include: { fills: { orderBy: { at: 'asc' } } },
    });
    return o ? orderView(o) : null;
  }

  async account(accountId: string, userId?: string): Promise<ReturnType<typeof accountDetailView> | null> {
    const account = userId
      ? await this.accounts.account(userId, accountId)
      : await this.accounts.accountById(accountId);
    if (!account) return null;
    const [marks, open, fills] = await Promise.all([
      this.marks(account.positions.map((p) => p.symbol)),
      this.accounts.openOrders(account.id),
      this.accounts.recentFills(account.id),
    ]);
    return accountDetailView(account, marks, open, fills);
  }

  /** Many signals at once (the notifier's batches), by id. */
  async signals(ids: string[]): Promise<Map<string, SignalView>> {
    if (!ids.length) return new Map();
    const rows = await this.db.prisma.signal.findMany({ where: { id: { in: ids } }, include: SIGNAL_DETAIL });
    return new Map(rows.map((s) => [s.id, signalView(s)]));
  }

  async orders(ids: string[]): Promise<Map<string, OrderView>> {
    if (!ids.length) return new Map();
    const rows = await this.db.prisma.order.findMany({
      where: { id: { in: ids } },
      include: { fills: { orderBy: { at: 'asc' } } },
    });
    return new Map(rows.map((o) => [o.id, orderView(o)]));
  }

  async marks(symbols: string[]): Promise<Marks> {
    return new Map((await this.accounts.quotes(symbols)).map((q) => [q.symbol, q.price]));
  }
}
