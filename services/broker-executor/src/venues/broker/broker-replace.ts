import type { Pool } from 'pg';
import { isTerminalOrder } from '@utm/contracts';
import { withTransaction } from '@utm/db';
import type { Logger } from '@utm/logger';
import { BrokerError, type Broker, type BrokerOrder } from './types';
import { lockAccountRow } from '../../repositories/accounts';
import { cancelLeg } from '../../use-cases/cancel-leg';
import { endReplacement } from '../../use-cases/leg-resize';
import { loadOrder, updateOrder, type ExecOrder } from '../../repositories/orders';
import { amendRequestOf } from './broker-requests';
import type { LegHooks, RequestWork } from './broker-venue';

const working = (o: Pick<ExecOrder, 'quantity' | 'filledQuantity'>) => o.quantity.minus(o.filledQuantity).toFixed();

/**
 * A resized exit leg sent as the broker's replace request (replace_method AMEND), exactly once,
 * like a placement: the replacement row (its id the new order's client order id, written with
 * its link to the old row before anything is sent) becomes SUBMITTING in a committed
 * transaction before the request leaves; after a crash or timeout, resolve() asks the broker
 * for that client order id and adopts what it finds, and sends again only when the broker has
 * never seen it. The old row ends when the broker reports it replaced (BrokerVenue.record).
 *
 * Refused: if the old order filled, was cancelled or went meanwhile, the replacement was not
 * needed: it ends CANCELLED with why, and the old order's own fill or end is recorded as
 * reported (the normal path decides what follows). If the old order still works as it was, the
 * broker's refusal stands: the replacement ends REJECTED with the broker's words, and the leg
 * keeps its size (an event says so; it is not retried).
 */
export class Replacements {
  constructor(
    private readonly pool: Pool,
    private readonly broker: Broker,
    private readonly venue: { apply(clientOrderId: string, b: BrokerOrder, note: string | null): Promise<void> },
    private readonly legs: LegHooks,
    private readonly requestWork: RequestWork,
    private readonly log: Logger,
  ) {}

  async place(order: ExecOrder): Promise<void> {
    const ready = await withTransaction(this.pool, async (c) => {
      await lockAccountRow(c, order.accountId);
      const r = await loadOrder(c, order.id, true);
      if (!r || r.status !== 'NEW') return null;
      const old = r.replaces ? await loadOrder(c, r.replaces, true) : null;
      if (!old || isTerminalOrder(old.status)) {
        await endReplacement(
          c,
          r,
          'CANCELLED',
          'RESIZE_DROPPED',
          `Not sent: the order it was to replace ${old ? `ended ${old.status}` : 'is gone'} before its replace request left`,
        );
        return null;
      }
      if (old.status !== 'ACCEPTED' || !old.brokerOrderId) {
        // It filled in part since the resize was decided: a replace of a partly filled order is
        // not documented, so the old one is cancelled first and this one waits for that.
        await c.query(`UPDATE orders SET replace_method = 'CANCEL_FIRST', updated_at = now() WHERE id = $1`, [r.id]);
        await cancelLeg(
          c,
          old,
          `Cancelled to be placed again resized, as ${r.id} (it filled in part before its replace request left)`,
        );
        return null;
      }
      const message = `Sending to ${this.broker.name}: replace order ${old.id} (broker id ${old.brokerOrderId}), ${working(old)} → ${r.quantity.toFixed()}`;
      await updateOrder(c, r, { status: 'SUBMITTING' }, { type: 'SUBMITTING', message });
      return { r, old };
    });
    if (ready) await this.send(ready.r, ready.old);
  }

  async resolve(order: ExecOrder): Promise<void> {
    const found = await this.broker.findByClientOrderId(order.id);
    if (found)
      return this.venue.apply(
        order.id,
        found,
        `Found at ${this.broker.name} after an interrupted replace request: adopted`,
      );
    const old = await withTransaction(this.pool, async (c) => {
      await lockAccountRow(c, order.accountId);
      const r = await loadOrder(c, order.id, true);
      if (!r || r.status !== 'SUBMITTING') return null;
      const o = r.replaces ? await loadOrder(c, r.replaces, true) : null;
      if (!o?.brokerOrderId) {
        await endReplacement(
          c,
          r,
          'CANCELLED',
          'RESIZE_DROPPED',
          'Not sent: the order it was to replace is not known at the broker',
        );
        return null;
      }
      await updateOrder(
        c,
        r,
        {},
        {
          type: 'RESUBMIT',
          message: `${this.broker.name} has never seen this order: sending its replace request again`,
        },
      );
      return o;
    });
    if (old) await this.send(order, old);
  }

  private async send(r: ExecOrder, old: ExecOrder): Promise<void> {
    let result: BrokerOrder;
    try {
      if (!this.broker.replace || !old.brokerOrderId) throw new Error(`${this.broker.name} cannot replace orders`);
      result = await this.broker.replace(old.brokerOrderId, amendRequestOf(old, r));
    } catch (err) {
      if (err instanceof BrokerError && err.refused) return this.refused(r, old, err);
      // Transient (or unknown whether it arrived): the row stays SUBMITTING and the job is
      // retried with backoff; the retry resolves it by client order id first.
      this.log.warn('replace request not confirmed; will resolve by client order id', {
        orderId: r.id,
        signalId: r.signalId,
        replaces: old.id,
        err,
      });
      throw err;
    }
    await this.venue.apply(r.id, result, null);
  }

  private async refused(r: ExecOrder, old: ExecOrder, err: BrokerError): Promise<void> {
    // The old order as it is now, recorded first: its fill or end goes the normal way.
    const now = await this.broker.findByClientOrderId(old.id);
    if (now) await this.venue.apply(old.id, now, null);
    const moot = !now || isTerminalOrder(now.status) || Boolean(now.replacedBy) || now.filledQuantity.gt(0);
    const state = now
      ? `is ${now.status}${now.filledQuantity.gt(0) ? ` (${now.filledQuantity.toFixed()} filled)` : ''}`
      : 'is gone';
    const why = moot
      ? `Not needed: ${this.broker.name} refused to replace order ${old.id}, which ${state} (${err.message})`
      : `${this.broker.name} refused to resize ${old.role} ${working(old)} → ${r.quantity.toFixed()}: ${err.message}; order ${old.id} keeps working as it is`;
    const work: string[] = [];
    await withTransaction(this.pool, async (c) => {
      await lockAccountRow(c, r.accountId);
      const current = await loadOrder(c, r.id, true);
      if (!current || current.status !== 'SUBMITTING') return;
      await endReplacement(c, current, moot ? 'CANCELLED' : 'REJECTED', 'RESIZE_REFUSED', why);
      work.push(...(await this.legs.afterSettle(c, current)));
    });
    if (work.length) await this.requestWork(r.accountId, work);
  }
}
