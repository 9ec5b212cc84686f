import { sentAtMillis, type NormalizedIngestRequest } from '@utm/contracts';
import { Decimal } from '@utm/db';
import { buyingPowerOf, defaultTickSize, equityOf, exitPrices, money, qty, venueRefusal } from '@utm/trading';
import { isReducing, planLegs } from './position-rules';
import { sizeQuantity, sizingPrice } from './sizing';
import { resolveAction, type AppliedRequest } from './tradingview';
import {
  reject,
  type AccountSnapshot,
  type Decision,
  type OrderDraft,
  type Rejection,
  type Side,
  type SymbolSnapshot,
} from './types';
import { belowMinimum, belowNotional, closeTerms, venueOrder, type VenueOrder } from './venue-terms';

const sign = (side: Side) => (side === 'BUY' ? 1 : -1);

/** What is held on the side the decision is about: the filled position, else (nothing filled yet) the projected one. */
function heldSize(sym: SymbolSnapshot): Decimal {
  const filled = sym.filledQuantity;
  if (filled.isZero() || filled.isNeg() !== sym.projectedQuantity.isNeg()) return sym.projectedQuantity.abs();
  return filled.abs();
}

function draft(
  req: AppliedRequest,
  venue: VenueOrder,
  role: OrderDraft['role'],
  side: Side,
  quantity: Decimal,
  priceBasis: Decimal | null,
  timeInForce: OrderDraft['timeInForce'] = venue.timeInForce,
): OrderDraft {
  return {
    role,
    side,
    type: venue.type,
    quantity,
    limitPrice: venue.limitPrice,
    stopPrice: venue.stopPrice,
    timeInForce,
    priceBasis,
    exitRules: role === 'ENTRY' ? (req.exitRules ?? null) : null,
  };
}

/** STALE_SIGNAL when the signal is decided more than the account's maxSignalAgeSeconds after its sentAt. */
export function staleness(req: NormalizedIngestRequest, account: AccountSnapshot, decidedAt: Date): Rejection | null {
  if (req.sentAt === undefined || account.maxSignalAgeSeconds === null) return null;
  const sent = sentAtMillis(req.sentAt);
  if (sent === null) return null; // validated at ingest: cannot happen
  const ageMs = decidedAt.getTime() - sent;
  if (ageMs <= account.maxSignalAgeSeconds * 1000) return null;
  const age = new Decimal(ageMs).div(1000).toDecimalPlaces(1).toFixed();
  return reject(
    'STALE_SIGNAL',
    `Signal is ${age} s old (sentAt ${new Date(sent).toISOString()}, decided ${decidedAt.toISOString()}); the account's maxSignalAgeSeconds is ${account.maxSignalAgeSeconds}`,
  );
}

/**
 * Turns one signal into orders or a refusal, from the account and symbol as they stand when it
 * is decided (`decidedAt`). A stale signal is refused first; then TradingView's buy/sell with a
 * sentiment and setPosition are resolved into one of the six actions on the position the
 * decision is taken on (`sym.projectedQuantity`) — the one place they enter — and decided as
 * that action, which is recorded as the signal's appliedAction.
 */
export function decide(
  req: NormalizedIngestRequest,
  account: AccountSnapshot,
  sym: SymbolSnapshot,
  decidedAt: Date,
  opts: { timeInForceGiven?: boolean } = {},
): Decision {
  const stale = staleness(req, account, decidedAt);
  if (stale) return stale;
  const resolution = resolveAction(req, sym.projectedQuantity, {
    price: sizingPrice(req, sym.quote),
    equity: equityOf(account.cash, account.positions),
    step: sym.instrument.quantityStep,
  });
  if (resolution.kind === 'reject') return resolution;
  const decision = decideAction(resolution.request, account, sym, opts);
  if (decision.kind === 'reject') return { ...decision, appliedAction: resolution.appliedAction };
  const notes = resolution.note ? [resolution.note, ...decision.notes] : decision.notes;
  return { ...decision, notes, appliedAction: resolution.appliedAction };
}

/**
 * One of the six actions into orders or a refusal, from the account and symbol as they stand
 * (projected over open orders). Checks, in order: trading state, allowed symbols, position
 * rules, the venue's rules (venue-terms.ts), price, size, exit rules, order notional, position
 * limit, buying power. Each refusal has its code and a sentence with the numbers.
 * `timeInForceGiven`: the signal set its time in force (else the venue's default applies).
 */
function decideAction(
  req: AppliedRequest,
  account: AccountSnapshot,
  sym: SymbolSnapshot,
  opts: { timeInForceGiven?: boolean } = {},
): Decision {
  const reducing = isReducing(req.action);
  if (account.tradingState === 'HALTED')
    return reject('ACCOUNT_HALTED', 'Account is halted: no signal is acted on until it is resumed');
  if (account.tradingState === 'REDUCE_ONLY' && !reducing) {
    return reject(
      'REDUCE_ONLY',
      `Account is reduce-only: ${req.action} would open a position; only closeLong and closeShort are accepted`,
    );
  }
  if (!reducing && account.allowedSymbols.length > 0 && !account.allowedSymbols.includes(req.symbol)) {
    return reject(
      'SYMBOL_NOT_ALLOWED',
      `${req.symbol} is not among the account's allowed symbols (${account.allowedSymbols.join(', ')})`,
    );
  }
  const spot = venueRefusal(account.venue, req.action, req.symbol, req.exitRules);
  if (spot) return reject(spot.code, spot.message);
  const plan = planLegs(req.action, req.symbol, sym.projectedQuantity, sym.filledQuantity);
  if ('kind' in plan) return plan;
  // The position as it stands (earlier orders are worked before a signal is decided: settlement.ts);
  // entries resting unfilled are cancelled by a close, so sizes are taken from what is held.
  const held = heldSize(sym);
  const venue = venueOrder(req, account, sym, plan, opts.timeInForceGiven ?? true);
  if ('kind' in venue) return venue;

  const price = sizingPrice({ ...req, orderType: venue.type }, sym.quote, venue);
  const equity = equityOf(account.cash, account.positions);
  const step = venue.quantityStep;
  const orders: OrderDraft[] = [];
  const notes: string[] = [...venue.notes];
  let closedQuantity = new Decimal(0);

  if (plan.close) {
    let quantity = plan.close.position;
    if (reducing && req.quantity !== undefined) {
      const sized = sizeQuantity({
        quantity: req.quantity,
        quantityType: req.quantityType,
        symbol: req.symbol,
        price,
        equity,
        positionSize: held,
        step,
      });
      if (sized.kind === 'reject') return sized;
      if (sized.quantity.gt(plan.close.position)) {
        notes.push(
          `Asked to close ${qty(sized.quantity)} ${req.symbol}; the position is ${qty(plan.close.position)}: closing ${qty(plan.close.position)}`,
        );
      } else {
        quantity = sized.quantity;
      }
    }
    closedQuantity = quantity;
    const close = closeTerms(venue, quantity, req.symbol, sym);
    if ('kind' in close) return close;
    if (close.note) notes.push(close.note);
    orders.push(draft(req, venue, 'CLOSE', plan.close.side, quantity, price, close.timeInForce));
  }

  if (plan.open) {
    if (!price)
      return reject(
        'NO_PRICE',
        `No price to size ${req.symbol} with: no quote, no limit or stop price, no price in the signal`,
      );
    let quantity: Decimal;
    if (req.quantity === undefined) {
      if (!plan.open.defaultQuantity)
        return reject('NO_POSITION', `No opposite position in ${req.symbol} to reverse, and no quantity given`);
      quantity = plan.open.defaultQuantity;
    } else {
      const sized = sizeQuantity({
        quantity: req.quantity,
        quantityType: req.quantityType,
        symbol: req.symbol,
        price,
        equity,
        positionSize: held,
        step,
      });
      if (sized.kind === 'reject') return sized;
      quantity = sized.quantity;
    }
    const small =
      belowMinimum(venue, quantity, req.symbol) ?? belowNotional(sym.instrument, quantity, price, req.symbol);
    if (small) return small;

    if (req.exitRules) {
      const checked = exitPrices(
        req.exitRules,
        plan.open.side,
        price,
        venue.terms?.tick ?? sym.instrument.tickSize ?? defaultTickSize(price),
      );
      if (!checked.ok)
        return reject(
          'INVALID_EXIT_RULE',
          `Exit rules cannot hold at the entry price ${price.toFixed()}: ${checked.message}`,
        );
    }

    const notional = quantity.times(price);
    if (account.maxOrderNotional && notional.gt(account.maxOrderNotional)) {
      return reject(
        'MAX_ORDER_NOTIONAL',
        `Order notional ${money(notional)} exceeds the account's limit of ${money(account.maxOrderNotional)}`,
      );
    }
    const base = plan.close ? new Decimal(0) : sym.projectedQuantity;
    const after = base.plus(quantity.times(sign(plan.open.side)));
    if (account.maxPositionQuantity && after.abs().gt(account.maxPositionQuantity)) {
      return reject(
        'MAX_POSITION',
        `Position would be ${qty(after.abs())} ${req.symbol}; the account's limit is ${qty(account.maxPositionQuantity)}`,
      );
    }
    // A reverse's close frees the closed position's value before the new side opens.
    const available = buyingPowerOf(account).plus(closedQuantity.times(price));
    if (notional.gt(available)) {
      return reject(
        'INSUFFICIENT_BUYING_POWER',
        `Insufficient buying power: needs ${money(notional)}, ${money(Decimal.max(available, 0))} available`,
      );
    }
    orders.push(draft(req, venue, 'ENTRY', plan.open.side, quantity, price));
  }

  const cancelOrderIds = plan.close
    ? [...sym.openExitOrderIds, ...sym.openEntryOrders.filter((o) => o.side !== plan.close?.side).map((o) => o.id)]
    : [];
  return { kind: 'accept', orders, cancelOrderIds, notes };
}
