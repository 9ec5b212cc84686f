import type { DecimalInput, NormalizedIngestRequest } from '@utm/contracts';
import { Decimal } from '@utm/db';
import { floorToStep, money, qty } from '@utm/trading';
import { reject, type Rejection } from './types';

/**
 * The price a signal is sized and checked at: the limit price for LIMIT and STOP_LIMIT,
 * the stop price for STOP, else the latest quote, else the sender's `price`. `prices`: the
 * order's prices as the venue takes them (on its tick), instead of the signal's.
 */
export function sizingPrice(
  req: Pick<NormalizedIngestRequest, 'orderType' | 'limitPrice' | 'stopPrice' | 'price'>,
  quote: Decimal | null,
  prices?: { limitPrice: Decimal | null; stopPrice: Decimal | null },
): Decimal | null {
  const limit = prices ? prices.limitPrice : req.limitPrice !== undefined ? new Decimal(req.limitPrice) : null;
  const stop = prices ? prices.stopPrice : req.stopPrice !== undefined ? new Decimal(req.stopPrice) : null;
  if ((req.orderType === 'LIMIT' || req.orderType === 'STOP_LIMIT') && limit) return limit;
  if (req.orderType === 'STOP' && stop) return stop;
  if (quote) return quote;
  return req.price !== undefined ? new Decimal(req.price) : null;
}

export interface SizingInput {
  /** As the request carries it: a JSON number or a decimal string (never through a float). */
  quantity: DecimalInput;
  quantityType: NormalizedIngestRequest['quantityType'];
  symbol: string;
  price: Decimal | null;
  equity: Decimal;
  /** The current (projected) position's size, unsigned. */
  positionSize: Decimal;
  step: Decimal;
}

export type Sized = { kind: 'sized'; quantity: Decimal } | Rejection;

/**
 * Quantity in units from the signal's quantity and type, rounded down to the step:
 * FIXED units; PERCENT_EQUITY of account equity at the price; DOLLAR_AMOUNT at the price;
 * PERCENT_POSITION of the current position. Never negative, never above what was asked.
 */
export function sizeQuantity(input: SizingInput): Sized {
  const q = new Decimal(input.quantity);
  let raw: Decimal;
  switch (input.quantityType) {
    case 'FIXED':
      raw = q;
      break;
    case 'PERCENT_EQUITY':
    case 'DOLLAR_AMOUNT': {
      if (!input.price)
        return reject(
          'NO_PRICE',
          `No price to size ${input.symbol} with: no quote, no limit or stop price, no price in the signal`,
        );
      const amount = input.quantityType === 'DOLLAR_AMOUNT' ? q : input.equity.times(q).div(100);
      if (amount.lte(0)) {
        const what =
          input.quantityType === 'DOLLAR_AMOUNT'
            ? `${money(q)} of ${input.symbol}`
            : `${input.quantity}% of equity ${money(input.equity)}`;
        return reject('ZERO_QUANTITY', `${what} is nothing to trade`);
      }
      raw = amount.div(input.price);
      break;
    }
    case 'PERCENT_POSITION':
      if (input.positionSize.lte(0))
        return reject('NO_POSITION', `PERCENT_POSITION needs a position in ${input.symbol}; there is none`);
      raw = input.positionSize.times(q).div(100);
      break;
  }
  const quantity = floorToStep(raw, input.step);
  if (quantity.lte(0)) {
    return reject(
      'ZERO_QUANTITY',
      `${raw.toSignificantDigits(6).toFixed()} ${input.symbol} rounds down to 0 at a quantity step of ${qty(input.step)}`,
    );
  }
  return { kind: 'sized', quantity };
}
