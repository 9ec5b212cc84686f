/**
 * The Broker interface over Alpaca's Trading API v2.
 *
 * Sources: https://github.com/alpacahq/alpaca-docs/blob/master/data/webapi/endpoints/orders.yaml
 * (POST/GET/DELETE /v2/orders, /v2/orders:by_client_order_id, nested, 422 "not cancelable"),
 * https://docs.alpaca.markets/docs/orders-at-alpaca (bracket/OCO groups: cancelling one order
 * cancels the rest of its group), https://docs.alpaca.markets/reference/getaccount-1 (cash),
 * https://github.com/alpacahq/alpaca-docs/blob/master/data/webapi/entities/position.yaml.
 *
 * Placing is exactly-once by client_order_id (= our order id): Alpaca refuses a second order
 * with the same id ("client_order_id must be unique", 422), and whenever the outcome of a
 * POST is unknown we ask Alpaca for the id before trying again. Replacing (PATCH
 * /v2/orders/{id}, orders.yaml "Replace an order") gives the new order a client_order_id of
 * ours too, and is made exactly-once the same way.
 */
import type { Decimal, InstrumentRules } from '@utm/db';
import type { AlpacaCredentials } from '@utm/security';
import {
  BrokerError,
  type Broker,
  type BrokerAccountSnapshot,
  type BrokerCapabilities,
  type BrokerOrder,
  type BrokerOrderRequest,
  type BrokerReplaceRequest,
} from '../broker/types';
import { alpacaExitTerms } from '@utm/trading';
import { AlpacaClient, type RetryPolicy } from './client';
import type { RequestBudget, RequestPriority } from './request-budget';
import { parseAsset } from './assets';
import { asArray, asRecord, optDecimal, reqString, toDecimal } from './json';
import {
  fromAlpacaOrder,
  isTerminal,
  parseAlpacaOrder,
  toAlpacaOrder,
  toAlpacaReplace,
  type AlpacaOrder,
} from './mapping';

export interface AlpacaBrokerOptions {
  baseUrl: string;
  credentials: AlpacaCredentials;
  timeoutMs: number;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  retry?: Partial<RetryPolicy>;
  /** The account's request budget (shared by its broker, its updates and reconciliation). */
  budget?: RequestBudget;
  /** What this instance's requests are for (default trade). */
  priority?: RequestPriority;
}

/**
 * Fractional quantities: Alpaca takes up to 9 decimal places in qty, only for assets whose
 * `fractionable` is true, not for short sales ("All fractional sell orders are marked long"),
 * and (per https://docs.alpaca.markets/docs/fractional-trading as we read it) only for market
 * DAY orders, not in extended hours. A fractional order outside these limits is refused by
 * Alpaca (e.g. "requested asset is not fractionable"), which reaches the caller as BROKER_ERROR.
 *
 * Replacing: "You can only patch full shares", "Qty of equity fractional orders are not allowed
 * to change" (reference/patchorderbyorderid-1); bracket and OCO legs: "Order replacement ... is
 * supported to update limit_price and stop_price", not qty; "If the take-profit order is
 * partially filled, the stop-loss order will be adjusted to the remaining quantity"
 * (docs/orders-at-alpaca, bracket orders; OCO legs "work exactly the same way").
 */
export const ALPACA_CAPABILITIES: BrokerCapabilities = {
  orderTypes: ['MARKET', 'LIMIT', 'STOP', 'STOP_LIMIT', 'TRAILING_STOP'],
  nativeBracket: true,
  nativeOco: true,
  nativeTrailingStop: true,
  fractional: true,
  replace: { quantity: 'whole', advancedLegQuantity: false, ocoStopFollowsTarget: true },
  // "potential wash trade detected": Alpaca rejects "any order where there is an existing open
  // order having the opposite side" (forum.alpaca.markets/t/18200).
  oppositeOrdersRefused: true,
  // "you would not be able to submit two conditional closing orders" (orders.md, Bracket Orders).
  oneClosingOrderPerShare: true,
  exitTerms: alpacaExitTerms,
};

/** "Order cannot be replaced when the status is accepted, pending_new, pending_cancel or pending_replace": for now. */
const NOT_YET_REPLACEABLE = new Set(['accepted', 'pending_new', 'pending_cancel', 'pending_replace']);

const DUPLICATE = /client[ _]?order[ _]?id must be unique/i;
const PAGE = 500; // Alpaca's maximum `limit` for GET /v2/orders
const MAX_PAGES = 20;

export class AlpacaBroker implements Broker {
  readonly name = 'alpaca';
  readonly capabilities = ALPACA_CAPABILITIES;
  readonly client: AlpacaClient;

  constructor(private readonly opts: AlpacaBrokerOptions) {
    this.client = new AlpacaClient(opts);
  }

  /** The same account and budget, its requests marked as `priority` (reconciliation's reads). */
  withPriority(priority: RequestPriority): AlpacaBroker {
    return new AlpacaBroker({ ...this.opts, priority });
  }

  async place(req: BrokerOrderRequest): Promise<BrokerOrder> {
    const body = toAlpacaOrder(req);
    return this.exactlyOnce(
      req.clientOrderId,
      async () => parseAlpacaOrder((await this.client.send('POST', '/v2/orders', { body })).body),
      async (err) => {
        if (err.opts.status !== 422 || !DUPLICATE.test(err.opts.alpacaMessage ?? err.message)) throw err;
        // Alpaca already has an order with our id: that order is this one (our ids are
        // unique per order row), so it is adopted, never placed again.
        const existing = await this.lookup(req.clientOrderId, false);
        if (existing) return existing;
        throw err;
      },
    );
  }

  /**
   * PATCH /v2/orders/{id}: the new order carries `req.clientOrderId`. A refusal is looked into:
   * a replacement that took effect after all (an error answered for a replace that happened,
   * alpacahq/alpaca-trade-api-python#306) is adopted; an order that cannot be replaced *yet*
   * (pending_new, pending_replace, …) is BROKER_UNAVAILABLE, to try again later; anything else
   * (the order filled or was cancelled meanwhile, 403 shares not sufficient, …) stays
   * BROKER_ERROR, for the caller to look at the order.
   */
  async replace(brokerOrderId: string, req: BrokerReplaceRequest): Promise<BrokerOrder> {
    const body = toAlpacaReplace(req);
    const path = `/v2/orders/${encodeURIComponent(brokerOrderId)}`;
    return this.exactlyOnce(
      req.clientOrderId,
      async () => parseAlpacaOrder((await this.client.send('PATCH', path, { body })).body),
      async (err) => {
        const existing = await this.lookup(req.clientOrderId, false);
        if (existing) return existing;
        const old = await this.getById(brokerOrderId);
        if (old && NOT_YET_REPLACEABLE.has(old.status)) {
          throw new BrokerError(
            'BROKER_UNAVAILABLE',
            `Alpaca cannot replace order ${old.clientOrderId} while it is ${old.status}: ${err.message}`,
            { status: err.opts.status, cause: err },
          );
        }
        throw err;
      },
    );
  }

  /**
   * One request that creates an order under `clientOrderId`, never retried blindly: a retry
   * first asks whether an earlier attempt reached Alpaca after all, a refusal goes through
   * `refused` (which may find the order and adopt it), and when the attempts are spent after
   * one may have arrived, the error stays `uncertain`.
   */
  private async exactlyOnce(
    clientOrderId: string,
    attempt: () => Promise<AlpacaOrder>,
    refused: (err: BrokerError) => Promise<AlpacaOrder>,
  ): Promise<BrokerOrder> {
    let sentMaybe = false;
    try {
      const raw = await this.client.withRetries(async (n) => {
        if (n > 0) {
          const existing = await this.lookup(clientOrderId, false);
          if (existing) return existing;
        }
        try {
          return await attempt();
        } catch (err) {
          if (err instanceof BrokerError && err.uncertain) sentMaybe = true;
          if (!(err instanceof BrokerError) || !err.refused) throw err;
          return refused(err);
        }
      });
      return fromAlpacaOrder(raw);
    } catch (err) {
      if (!sentMaybe || !(err instanceof BrokerError)) throw err;
      return this.afterUncertain(clientOrderId, err);
    }
  }

  /**
   * The attempts are spent and one of them may have reached Alpaca: one last look, and if
   * the order is still not there the error stays `uncertain`, whatever the last attempt said,
   * so that the caller asks again before ever placing it anew.
   */
  private async afterUncertain(clientOrderId: string, last: BrokerError): Promise<BrokerOrder> {
    let existing: AlpacaOrder | null;
    try {
      existing = await this.lookup(clientOrderId, false);
    } catch (err) {
      throw new BrokerError(
        'BROKER_UNAVAILABLE',
        `${last.message} (and the lookup by client_order_id failed: ${(err as Error).message})`,
        {
          uncertain: true,
          cause: last,
        },
      );
    }
    if (existing) return fromAlpacaOrder(existing);
    if (last.code === 'BROKER_UNAVAILABLE' && last.uncertain) throw last;
    throw new BrokerError(last.code, last.message, { ...last.opts, uncertain: true, cause: last });
  }

  /**
   * Cancels our order (and, for a bracket or OCO group, whatever of it is still open).
   * - Alpaca never saw the id: BROKER_ERROR with status 404 (nothing was cancelled; the caller
   *   decides, e.g. after an uncertain place that in fact never arrived).
   * - Already filled, canceled, expired or rejected: resolves without a request; the final
   *   state is what findByClientOrderId and the updates report.
   * - DELETE answered 422 "not cancelable": the order finished in between (resolves) or is
   *   pending_replace, which "will reject cancel request" (BROKER_UNAVAILABLE: try again later).
   * - Replaced by Alpaca: its replacement (replaced_by) is cancelled instead.
   * A repeated cancel is safe: an order already canceled resolves at the lookup.
   */
  async cancel(clientOrderId: string): Promise<void> {
    let order = await this.lookup(clientOrderId, true);
    if (!order)
      throw new BrokerError('BROKER_ERROR', `Alpaca has no order with client_order_id ${clientOrderId}`, {
        status: 404,
      });
    // Replaced (a resize of ours, or a corporate action): the replacement is what works now,
    // under another id, and what is cancelled. A few hops at most.
    for (let hop = 0; hop < 5 && order.status === 'replaced' && order.replacedBy !== null; hop++) {
      const next: AlpacaOrder | null = await this.getById(order.replacedBy);
      if (!next) break;
      order = next;
    }
    // An open group member is cancelled and Alpaca cancels the rest of its group; once the
    // parent is done (a filled bracket entry), its open legs are cancelled one by one.
    const targets = isOpen(order) ? [order] : order.legs.filter(isOpen);
    for (const target of targets) await this.cancelOne(target);
  }

  /** What Alpaca says of the asset (GET /v2/assets/{symbol}); null: it has none (404). */
  async instrument(symbol: string): Promise<Omit<InstrumentRules, 'fetchedAt'> | null> {
    try {
      return parseAsset((await this.client.get(`/v2/assets/${symbol}`)).body, symbol);
    } catch (err) {
      if (err instanceof BrokerError && err.refused && err.opts.status === 404) return null;
      throw err;
    }
  }

  async findByClientOrderId(clientOrderId: string): Promise<BrokerOrder | null> {
    const raw = await this.lookup(clientOrderId, true);
    return raw ? fromAlpacaOrder(raw) : null;
  }

  async openOrders(): Promise<BrokerOrder[]> {
    const orders = await this.listOrders({ status: 'open' });
    return orders.map(fromAlpacaOrder);
  }

  /** GET /v2/orders with nested legs, every page (oldest first), deduplicated by id. */
  async listOrders(query: { status: 'open' | 'closed' | 'all'; after?: string }): Promise<AlpacaOrder[]> {
    const byId = new Map<string, AlpacaOrder>();
    let after = query.after;
    for (let page = 0; page < MAX_PAGES; page++) {
      const q: Record<string, string> = { status: query.status, nested: 'true', direction: 'asc', limit: String(PAGE) };
      if (after) q.after = after;
      const items = asArray((await this.client.get('/v2/orders', q)).body, 'order list').map(parseAlpacaOrder);
      for (const o of items) byId.set(o.id, o);
      const last = items[items.length - 1];
      // `after` is exclusive on submitted_at; a full page means there may be more.
      if (items.length < PAGE || !last?.submittedAt || last.submittedAt === after) break;
      after = last.submittedAt;
    }
    return [...byId.values()];
  }

  async snapshot(): Promise<BrokerAccountSnapshot> {
    const account = asRecord((await this.client.get('/v2/account')).body, 'account');
    const cash = toDecimal(reqString(account, 'cash', 'account'), 'account cash');
    const list = asArray((await this.client.get('/v2/positions')).body, 'position list');
    const positions = list.map((item) => {
      const p = asRecord(item, 'position');
      const qty = toDecimal(reqString(p, 'qty', 'position'), 'position qty').abs();
      // The sign comes from `side`, whatever the sign of qty: the position entity documents
      // side "long"/"short" but not whether a short's qty is negative.
      const short = reqString(p, 'side', 'position') === 'short';
      const avgPrice: Decimal | null = optDecimal(p, 'avg_entry_price', 'position');
      return {
        symbol: reqString(p, 'symbol', 'position'),
        quantity: short ? qty.neg() : qty,
        avgPrice: avgPrice ?? toDecimal('0', 'position'),
      };
    });
    return { cash, positions };
  }

  /**
   * GET /v2/orders:by_client_order_id; 404 → null. Its legs are not documented as nested, so
   * a multi-leg order without legs is read again by id with nested=true (documented there).
   */
  async lookup(clientOrderId: string, retry: boolean): Promise<AlpacaOrder | null> {
    const get = (path: string, query: Record<string, string>) =>
      retry ? this.client.get(path, query) : this.client.send('GET', path, { query });
    let order: AlpacaOrder;
    try {
      order = parseAlpacaOrder((await get('/v2/orders:by_client_order_id', { client_order_id: clientOrderId })).body);
    } catch (err) {
      if (err instanceof BrokerError && err.refused && err.opts.status === 404) return null;
      throw err;
    }
    if (order.orderClass === 'simple' || order.legs.length > 0) return order;
    return parseAlpacaOrder((await get(`/v2/orders/${encodeURIComponent(order.id)}`, { nested: 'true' })).body);
  }

  /** GET /v2/orders/{id}?nested=true; 404 → null. */
  async getById(id: string): Promise<AlpacaOrder | null> {
    try {
      return parseAlpacaOrder((await this.client.get(`/v2/orders/${encodeURIComponent(id)}`, { nested: 'true' })).body);
    } catch (err) {
      if (err instanceof BrokerError && err.refused && err.opts.status === 404) return null;
      throw err;
    }
  }

  private async cancelOne(order: AlpacaOrder): Promise<void> {
    try {
      await this.client.send('DELETE', `/v2/orders/${encodeURIComponent(order.id)}`);
    } catch (err) {
      if (!(err instanceof BrokerError) || err.opts.status !== 422) throw err;
      const now = await this.lookup(order.clientOrderId, true);
      if (now && !isOpen(now)) return;
      throw new BrokerError(
        'BROKER_UNAVAILABLE',
        `Alpaca cannot cancel order ${order.clientOrderId} now (${now?.status ?? 'unknown'}): ${err.message}`,
        {
          status: 422,
          cause: err,
        },
      );
    }
  }
}

/** Open means a cancel can still do something: not final, and not already being cancelled. */
function isOpen(order: AlpacaOrder): boolean {
  return !isTerminal(fromAlpacaOrder(order).status) && order.status !== 'pending_cancel' && order.status !== 'replaced';
}
