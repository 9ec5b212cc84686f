import type { Action, DecimalInput, NormalizedIngestRequest } from '@utm/contracts';
import { Decimal } from '@utm/db';
import { qty } from '@utm/trading';
import { sizeQuantity } from './sizing';
import { reject, type Rejection } from './types';

/**
 * TradingView's words, turned into the action a decision is taken in (one of the six), on the
 * position held when the signal is decided:
 *
 * | action | sentiment | applied as |
 * |---|---|---|
 * | buy  | long  | openLong of quantity if flat or long; if short: reverseToLong, the short closed and quantity − its size opened (nothing opened when that is not positive: closeShort) |
 * | buy  | flat  | closeShort (whole position) |
 * | buy  | short | closeShort of quantity (a short being reduced) |
 * | sell | …     | the mirror |
 *
 * setPosition brings the position to a target (sentiment's side, |quantity| units or a percent
 * of equity or an amount of money): the difference is bought or sold, crossing zero like a
 * reverse; already there: ALREADY_AT_TARGET. The six actions pass through unchanged.
 */
export type AppliedRequest = NormalizedIngestRequest & { action: Action };

export interface Resolution {
  kind: 'resolved';
  request: AppliedRequest;
  appliedAction: Action;
  /** What was sent and what it became, for the signal's timeline (null for the six actions). */
  note: string | null;
}

export interface SizingContext {
  /** The price the signal is sized at (sizingPrice), if any. */
  price: Decimal | null;
  equity: Decimal;
  step: Decimal;
}

const ZERO = new Decimal(0);

/** The request without its sentiment, and without the fields in `drop`. */
function without(req: NormalizedIngestRequest, drop: (keyof NormalizedIngestRequest)[]): NormalizedIngestRequest {
  const copy: Partial<NormalizedIngestRequest> = { ...req };
  for (const key of ['sentiment', ...drop] as const) delete copy[key];
  return copy as NormalizedIngestRequest;
}

/** The request as one of the six, sized in units (`quantity`), or the whole position (null). */
function applied(req: NormalizedIngestRequest, action: Action, quantity: Decimal | null): AppliedRequest {
  const rest = without(req, ['quantity']);
  return quantity === null
    ? { ...rest, action, quantityType: 'FIXED' }
    : { ...rest, action, quantity: quantity.toFixed(), quantityType: 'FIXED' };
}

/** The request as sent, with only its action replaced (its quantity and type are sized as usual). */
const asSent = (req: NormalizedIngestRequest, action: Action): AppliedRequest => ({ ...without(req, []), action });

const OPENING = new Set<Action>(['openLong', 'openShort', 'reverseToLong', 'reverseToShort']);

/** The words of a resolution, noting exit rules that a close leaves unused. */
function resolved(request: AppliedRequest, note: string): Resolution {
  const unused =
    request.exitRules && !OPENING.has(request.action) ? '; its exit rules are unused: nothing is opened' : '';
  return { kind: 'resolved', request, appliedAction: request.action, note: `${note}${unused}` };
}

function held(position: Decimal, symbol: string): string {
  if (position.isZero()) return `no position in ${symbol}`;
  return `a ${position.gt(0) ? 'long' : 'short'} position of ${qty(position.abs())} ${symbol}`;
}

/** The order's or target's size in units, rounded down to the step (FIXED, PERCENT_EQUITY, DOLLAR_AMOUNT…). */
function units(req: NormalizedIngestRequest, quantity: DecimalInput, position: Decimal, ctx: SizingContext) {
  return sizeQuantity({
    quantity,
    quantityType: req.quantityType,
    symbol: req.symbol,
    price: ctx.price,
    equity: ctx.equity,
    positionSize: position.abs(),
    step: ctx.step,
  });
}

function resolveBuySell(req: NormalizedIngestRequest, position: Decimal, ctx: SizingContext): Resolution | Rejection {
  const buy = req.action === 'buy';
  const sent = `${req.action} with sentiment ${req.sentiment ?? ''} on ${held(position, req.symbol)}`;
  const [open, close, reverse] = buy
    ? (['openLong', 'closeShort', 'reverseToLong'] as const)
    : (['openShort', 'closeLong', 'reverseToShort'] as const);
  const opposite = buy ? position.lt(0) : position.gt(0);
  const done = (request: AppliedRequest, what: string) =>
    resolved(request, `${sent}: applied as ${request.action}${what}`);

  const sameSide = req.sentiment === (buy ? 'long' : 'short');
  if (req.sentiment === 'flat') return done(applied(req, close, null), ' (the whole position)');
  if (!sameSide) return done(asSent(req, close), ''); // a position being reduced by quantity
  if (!opposite) return done(asSent(req, open), '');
  // The order crosses zero: its size includes the closing part.
  const sized = units(req, req.quantity ?? 0, position, ctx);
  if (sized.kind === 'reject') return sized;
  const rest = sized.quantity.minus(position.abs());
  if (rest.lte(0)) {
    return done(
      applied(req, close, null),
      ` (the order's ${qty(sized.quantity)} covers no more than the ${qty(position.abs())} held: the position is closed, nothing opened)`,
    );
  }
  return done(
    applied(req, reverse, rest),
    ` (close ${qty(position.abs())}, open ${qty(rest)}: ${qty(sized.quantity)} in all)`,
  );
}

function resolveTarget(req: NormalizedIngestRequest, position: Decimal, ctx: SizingContext): Resolution | Rejection {
  let target = ZERO;
  let rounded = '';
  if (req.sentiment !== 'flat') {
    const sized = units(req, req.quantity ?? 0, position, ctx);
    // A target that rounds down to nothing at the quantity step is flat: the nearest position held.
    if (sized.kind === 'reject' && sized.code !== 'ZERO_QUANTITY') return sized;
    if (sized.kind === 'reject') rounded = ` (${sized.message})`;
    else target = req.sentiment === 'short' ? sized.quantity.neg() : sized.quantity;
  }
  const wanted = target.isZero()
    ? `flat in ${req.symbol}${rounded}`
    : `${target.gt(0) ? 'long' : 'short'} ${qty(target.abs())} ${req.symbol}`;
  const diff = target.minus(position);
  if (diff.isZero()) return reject('ALREADY_AT_TARGET', `Already at the target position: ${wanted}`);
  const done = (request: AppliedRequest, what: string) =>
    resolved(
      request,
      `setPosition to ${wanted} on ${held(position, req.symbol)}: applied as ${request.action} ${what}`,
    );

  if (target.isZero())
    return done(applied(req, position.gt(0) ? 'closeLong' : 'closeShort', null), '(the whole position)');
  const long = target.gt(0);
  const crosses = long ? position.lt(0) : position.gt(0);
  if (crosses)
    return done(
      applied(req, long ? 'reverseToLong' : 'reverseToShort', target.abs()),
      `(close ${qty(position.abs())}, open ${qty(target.abs())})`,
    );
  // Same side (or from flat): grow with an open, shrink with a close of the difference.
  if (long ? diff.gt(0) : diff.lt(0))
    return done(applied(req, long ? 'openLong' : 'openShort', diff.abs()), `of ${qty(diff.abs())}`);
  return done(applied(req, long ? 'closeLong' : 'closeShort', diff.abs()), `of ${qty(diff.abs())}`);
}

/**
 * The action a signal is applied as, on `position` (signed: the position the decision is taken
 * on, see decide()). Pure: the same signal and position always resolve alike.
 */
export function resolveAction(
  req: NormalizedIngestRequest,
  position: Decimal,
  ctx: SizingContext,
): Resolution | Rejection {
  switch (req.action) {
    case 'buy':
    case 'sell':
      return resolveBuySell(req, position, ctx);
    case 'setPosition':
      return resolveTarget(req, position, ctx);
    default:
      return { kind: 'resolved', request: { ...req, action: req.action }, appliedAction: req.action, note: null };
  }
}
