import { OPEN_ORDER_STATUSES } from '@utm/contracts';
import type { Db, Prisma } from '@utm/db';

const OPEN_ORDERS_SHOWN = 200;
const RECENT_FILLS_SHOWN = 50;

const ACCOUNT_FIELDS = {
  id: true,
  name: true,
  mode: true,
  broker: true,
  cash: true,
  tradingState: true,
  positions: { orderBy: { symbol: 'asc' } },
} as const satisfies Prisma.AccountSelect;

/** The Accounts pages' queries; scoped to the calling user except accountById. */
export class AccountRepository {
  constructor(private readonly db: Db) {}

  list(userId: string) {
    return this.db.prisma.account.findMany({
      where: { userId },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      select: ACCOUNT_FIELDS,
    });
  }

  account(userId: string, accountId: string) {
    return this.db.prisma.account.findFirst({ where: { id: accountId, userId }, select: ACCOUNT_FIELDS });
  }

  /** Whoever owns it (the notifier, which has already matched the owner). */
  accountById(accountId: string) {
    return this.db.prisma.account.findUnique({ where: { id: accountId }, select: ACCOUNT_FIELDS });
  }

  quotes(symbols: string[]) {
    return symbols.length
      ? this.db.prisma.quote.findMany({ where: { symbol: { in: [...new Set(symbols)] } } })
      : Promise.resolve([]);
  }

  /** Open orders, newest first (an exit whose cancel was asked for is still open until the broker confirms). */
  openOrders(accountId: string) {
    return this.db.prisma.order.findMany({
      where: { accountId, status: { in: [...OPEN_ORDER_STATUSES] } },
      orderBy: { seq: 'desc' },
      take: OPEN_ORDERS_SHOWN,
    });
  }

  /** The latest fills of the account's orders, newest first. */
  recentFills(accountId: string) {
    return this.db.prisma.fill.findMany({
      where: { order: { accountId } },
      orderBy: [{ at: 'desc' }, { id: 'desc' }],
      take: RECENT_FILLS_SHOWN,
      select: {
        quantity: true,
        price: true,
        at: true,
        order: { select: { id: true, signalId: true, symbol: true, side: true, role: true } },
      },
    });
  }
}
