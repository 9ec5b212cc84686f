import type { AccountSnapshot } from '../../src/domain/types';
import { buyingPowerOf, equityOf } from '../../src/domain/risk';
import { account, D } from './helpers';

type Pos = AccountSnapshot['positions'][number];
const pos = (symbol: string, quantity: string, mark: string): Pos => ({ symbol, quantity: D(quantity), mark: D(mark) });

describe('equityOf and buyingPowerOf', () => {
  // [name, cash, reservations, positions, equity, buying power]
  const cases: [string, string, string, Pos[], string, string][] = [
    ['cash only', '100000', '0', [], '100000', '100000'],
    ['reservations reduce buying power, not equity', '20000', '10800', [], '20000', '9200'],
    ['a long adds to equity, leaves buying power', '15000', '0', [pos('MSFT', '100', '500')], '65000', '15000'],
    [
      'a short subtracts from equity, twice from buying power',
      '30000',
      '0',
      [pos('MSFT', '-20', '100')],
      '28000',
      '26000',
    ],
    [
      'mixed, with cents',
      '50000.25',
      '1000.10',
      [pos('MSFT', '10', '400.5'), pos('TSLA', '-3', '200.01'), pos('SPY', '0.5', '500')],
      '53655.22',
      '47800.09',
    ],
    ['negative buying power', '1000', '5000', [], '1000', '-4000'],
  ];

  it.each(cases)('%s', (_name, cash, reservations, positions, equity, buyingPower) => {
    const acct = account({ cash: D(cash), reservations: D(reservations), positions });
    expect(equityOf(acct).toFixed()).toBe(equity);
    expect(buyingPowerOf(acct).toFixed()).toBe(buyingPower);
  });
});
