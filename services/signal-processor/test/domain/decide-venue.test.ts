/** decide(): what the account's venue cannot carry out is refused up front, before any order exists. */
import type { Action, ExitRules } from '@utm/contracts';
import type { VenueKind } from '@utm/trading';
import { decide } from '../../src/domain/decide';
import { account, expectAccepted, expectRejected, holding, NOW, request, symbol } from './helpers';

const stopAndTarget: ExitRules = {
  stopLoss: { type: 'PERCENT', value: 2 },
  takeProfit: { type: 'PERCENT', value: 4 },
};
const trailing: ExitRules = { trailingStop: { type: 'PERCENT', value: 1 } };

describe('decide: the venue (a ccxt spot account is long only and holds no trailing stop)', () => {
  it.each<[string, VenueKind, Action, string, ExitRules | undefined, string]>([
    ['a short on spot', 'ccxt', 'openShort', '0', undefined, 'NOT_SHORTABLE'],
    ['a reverse to short on spot, even from a long', 'ccxt', 'reverseToShort', '10', undefined, 'NOT_SHORTABLE'],
    ['a trailing stop at a ccxt exchange', 'ccxt', 'openLong', '0', trailing, 'EXITS_NOT_SUPPORTED'],
  ])('refuses %s', (_what, venue, action, position, exitRules, code) => {
    const req = request(action, { quantity: 1, ...(exitRules ? { exitRules } : {}) });
    const r = expectRejected(decide(req, account({ venue }), holding(position), NOW));
    expect(r.code).toBe(code);
    expect(r.message).toMatch(venue);
  });

  it.each<[string, VenueKind, Action, string, ExitRules | undefined]>([
    ['a long with stop loss and take profit on spot', 'ccxt', 'openLong', '0', stopAndTarget],
    ['a close of a spot long', 'ccxt', 'closeLong', '10', undefined],
    ['a reverse to long on spot', 'ccxt', 'reverseToLong', '0', stopAndTarget],
    ['a short on paper', 'paper', 'openShort', '0', undefined],
    ['a trailing stop at Alpaca', 'alpaca', 'openLong', '0', trailing],
  ])('accepts %s', (_what, venue, action, position, exitRules) => {
    const req = request(action, { quantity: 1, ...(exitRules ? { exitRules } : {}) });
    expectAccepted(decide(req, account({ venue }), position === '0' ? symbol() : holding(position), NOW));
  });
});
