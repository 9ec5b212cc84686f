import { Decimal } from '@utm/db';
import { isOpenLeg, positionLeft, supersededIds, type ExitLeg } from './exit-leg-types';

/**
 * One-cancels-other between the exit legs of one entry, decided by the position they protect
 * rather than by the leg's own size: the group is over when the entry's position is closed.
 * In the normal case (every leg sized to the filled entry) that is exactly "when a leg fills
 * completely, cancel the others"; a leg that was smaller than the position (an entry fill not
 * yet reflected in the legs) leaves the others protecting what is still held.
 */
export interface LegFillResult {
  /** Other legs to cancel: the position is closed. */
  cancel: string[];
  /**
   * Other legs whose quantity follows the position left (what they filled + that); a leg being
   * replaced at its broker is not among them, its replacement is.
   */
  resize: { id: string; quantity: Decimal }[];
  /**
   * The position is closed while the entry may still be working (it was partially filled):
   * cancel its unfilled rest, or a later fill would reopen a position with no exits.
   */
  cancelEntryRemainder: boolean;
  /** What is still held from this entry (≥ 0). */
  positionLeft: Decimal;
  /**
   * Closed beyond the position (> 0 only when two legs executed before one could be cancelled,
   * e.g. at a real broker): the account now holds this much on the other side; the executor
   * must flag it, the legs cannot fix it.
   */
  excess: Decimal;
}

/**
 * A leg reported a fill. `legFilledQuantity` is the leg's CUMULATIVE filled quantity (as the
 * broker and the order row report it), so a replayed update changes nothing; it never moves
 * a leg's filled quantity backwards.
 */
export function onLegFill(
  legs: readonly ExitLeg[],
  entryFilledQuantity: Decimal,
  filledLegId: string,
  legFilledQuantity: Decimal,
): LegFillResult {
  const filled = legs.find((l) => l.id === filledLegId);
  if (!filled) throw new Error(`leg ${filledLegId} is not one of the entry's exit legs`);
  const updated = legs.map((l) =>
    l.id === filledLegId ? { ...l, filledQuantity: Decimal.max(l.filledQuantity, legFilledQuantity) } : l,
  );
  const left = positionLeft(updated, entryFilledQuantity);
  const others = updated.filter((l) => l.id !== filledLegId && isOpenLeg(l));
  const held = Decimal.max(left, 0);
  const excess = Decimal.max(left.neg(), 0);
  if (left.lte(0)) {
    return { cancel: others.map((l) => l.id), resize: [], cancelEntryRemainder: true, positionLeft: held, excess };
  }
  const superseded = supersededIds(updated);
  const resize = others
    .filter((l) => !superseded.has(l.id))
    .map((l) => ({ id: l.id, quantity: l.filledQuantity.plus(left), current: l.quantity }))
    .filter((r) => !r.quantity.eq(r.current))
    .map(({ id, quantity }) => ({ id, quantity }));
  return { cancel: [], resize, cancelEntryRemainder: false, positionLeft: held, excess };
}
