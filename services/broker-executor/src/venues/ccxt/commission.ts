import type { MarketInterface, Order, Trade } from 'ccxt';
import { Decimal } from '@utm/db';
import { commissionOf, NO_COMMISSION, type Commission } from './mapping';

/**
 * The commission of each exchange order's executions, kept per order as of its filled quantity
 * (read again only when it fills further): from the trades ccxt parsed out of the answer
 * (Binance FULL: fills[]) when they cover what filled, else from the exchange's trade list
 * (ccxt fetchOrderTrades; Binance GET /api/v3/myTrades?orderId=, rest-api.md "Account trade list").
 */
export class Commissions {
  private readonly known = new Map<string, { filled: string; commission: Commission }>();

  constructor(private readonly tradesOf: (o: Order, m: MarketInterface) => Promise<Trade[]>) {}

  async of(o: Order, m: MarketInterface): Promise<Commission> {
    const filled = String((o.info as { executedQty?: unknown } | undefined)?.executedQty ?? o.filled ?? 0);
    if (new Decimal(filled).isZero()) return NO_COMMISSION;
    const key = `${m.id ?? m.symbol}:${o.id}`;
    const known = this.known.get(key);
    if (known?.filled === filled) return known.commission;
    const parsed = o.trades ?? [];
    const covered = parsed.reduce((sum, t) => sum.plus(String(t.amount ?? 0)), new Decimal(0)).eq(filled);
    const trades = covered ? parsed : await this.tradesOf(o, m);
    const commission = commissionOf(trades, m.base ?? '', m.quote ?? '');
    this.known.set(key, { filled, commission });
    return commission;
  }
}
