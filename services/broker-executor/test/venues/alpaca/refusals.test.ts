import { classifyRefusal } from '../../../src/venues/alpaca';

/**
 * Every refusal Alpaca is known to give (its documentation and the answers users report, cited
 * in refusals.ts) reads as a precise code; Alpaca's words are kept in the sentence.
 */
describe("Alpaca's refusals, each with its code", () => {
  it.each([
    [403, 'insufficient qty available for order (requested: 10, available: 0)', 'INSUFFICIENT_QTY'],
    [403, 'insufficient balance for BTC (requested: 1, available: 0.5)', 'INSUFFICIENT_QTY'],
    [422, 'potential wash trade detected. use complex orders', 'WASH_TRADE'],
    [403, 'potential wash trade detected. use complex orders', 'WASH_TRADE'],
    [403, 'cannot open a long buy while a short sell order is open', 'OPPOSITE_ORDER_OPEN'],
    [403, 'asset HTB cannot be sold short', 'NOT_SHORTABLE'],
    [403, 'fractional orders cannot be sold short', 'NOT_SHORTABLE'],
    [422, 'requested asset is not fractionable', 'NOT_FRACTIONABLE'],
    [
      422,
      'invalid limit_price 290.123. sub-penny increment does not fulfill minimum pricing criteria',
      'PRICE_INCREMENT',
    ],
    [422, 'stop_loss.stop_price must be at least 0.01 below base price 100', 'STOP_PRICE_REFUSED'],
    [403, 'insufficient buying power', 'INSUFFICIENT_BUYING_POWER'],
    [422, 'qty must be >= 0.0001 (min_order_size)', 'QUANTITY_INCREMENT'],
    [422, 'asset GME is not tradable', 'ASSET_NOT_TRADABLE'],
    [422, 'invalid crypto time_in_force: day', 'ORDER_NOT_SUPPORTED'],
    [422, 'fractional orders must be day orders', 'ORDER_NOT_SUPPORTED'],
    [403, 'trade denied due to pattern day trading protection', 'ACCOUNT_RESTRICTED'],
    [401, 'request is not authorized', 'BROKER_AUTH_FAILED'],
    [422, 'something Alpaca has never said before', 'BROKER_ERROR'],
  ])('%s "%s" → %s', (status, message, code) => {
    const r = classifyRefusal(status, message);
    expect(r.code).toBe(code);
    expect(r.message).toContain(message);
  });
});
