import type { OrderStatus, SignalStatus } from '@utm/contracts';
import type { Db } from '@utm/db';
import { SIGNAL_DETAIL } from '@utm/read-model';
import type { PageQuery } from '../domain/paging';

/** The read endpoints' queries; every one is scoped to the calling user. */
export class ReadRepository {
  constructor(private readonly db: Db) {}

  signal(userId: string, signalId: string) {
    return this.db.prisma.signal.findFirst({
      where: { id: signalId, userId },
      include: SIGNAL_DETAIL,
    });
  }

  signals(
    userId: string,
    filter: { accountId?: string | undefined; status?: SignalStatus | undefined; symbol?: string | undefined },
    p: PageQuery,
  ) {
    return this.db.prisma.signal.findMany({
      where: {
        userId,
        ...(filter.accountId ? { accountId: filter.accountId } : {}),
        ...(filter.status ? { status: filter.status } : {}),
        ...(filter.symbol ? { symbol: filter.symbol } : {}),
        ...(p.before !== null ? { seq: { lt: p.before } } : {}),
      },
      orderBy: { seq: 'desc' },
      take: p.limit + 1,
    });
  }

  orders(accountId: string, status: OrderStatus | undefined, p: PageQuery) {
    return this.db.prisma.order.findMany({
      where: { accountId, ...(status ? { status } : {}), ...(p.before !== null ? { seq: { lt: p.before } } : {}) },
      orderBy: { seq: 'desc' },
      take: p.limit + 1,
    });
  }
}
