import type { Action } from '@utm/contracts';
import { Decimal } from '@utm/db';
import { qty } from '@utm/trading';
import { reject, type Rejection, type Side } from './types';

/**
 * The action semantics (docs/contract.md, "Lifecycles") against the (projected) position:
 * - openLong adds to a long or opens one; on a short it is POSITION_CONFLICT (use reverseToLong);
 * - closeLong needs a long (else NO_POSITION) and sells at most what is held;
 * - reverseToLong closes a short if there is one, then opens a long (by default of the
 *   closed size); mirror for shorts.
 */
export interface LegPlan {
  /** The closing leg: side and the whole position it may close. */
  close?: { side: Side; position: Decimal };
  /** The opening leg's side, and the size it takes when the signal gives none. */
  open?: { side: Side; defaultQuantity: Decimal | null };
}

const ZERO = new Decimal(0);

/**
 * `projected`: the position once open orders fill (whether there is a position, and the
 * close's size: the executor caps a close at what is held when it is placed). `held`: the
 * filled position, which a reverse's new side takes by default (entries resting unfilled are
 * cancelled by the close).
 */
export function planLegs(
  action: Action,
  symbol: string,
  projected: Decimal,
  held: Decimal = projected,
): LegPlan | Rejection {
  const long = projected.gt(0);
  const short = projected.lt(0);
  const abs = projected.abs();
  const heldOnSide = !held.isZero() && held.isNeg() === projected.isNeg() ? held.abs() : abs;
  switch (action) {
    case 'openLong':
      if (short)
        return reject('POSITION_CONFLICT', `openLong on a short position of ${qty(abs)} ${symbol}: use reverseToLong`);
      return { open: { side: 'BUY', defaultQuantity: null } };
    case 'openShort':
      if (long)
        return reject('POSITION_CONFLICT', `openShort on a long position of ${qty(abs)} ${symbol}: use reverseToShort`);
      return { open: { side: 'SELL', defaultQuantity: null } };
    case 'closeLong':
      if (!long) return reject('NO_POSITION', `No long position in ${symbol} to close`);
      return { close: { side: 'SELL', position: abs } };
    case 'closeShort':
      if (!short) return reject('NO_POSITION', `No short position in ${symbol} to close`);
      return { close: { side: 'BUY', position: abs } };
    case 'reverseToLong':
      return short
        ? { close: { side: 'BUY', position: abs }, open: { side: 'BUY', defaultQuantity: heldOnSide } }
        : { open: { side: 'BUY', defaultQuantity: null } };
    case 'reverseToShort':
      return long
        ? { close: { side: 'SELL', position: abs }, open: { side: 'SELL', defaultQuantity: heldOnSide } }
        : { open: { side: 'SELL', defaultQuantity: null } };
  }
}

/** True when the action only reduces exposure (allowed in REDUCE_ONLY). */
export function isReducing(action: Action): boolean {
  return action === 'closeLong' || action === 'closeShort';
}

export { ZERO };
