/**
 * The ccxt venue's exits, account and updates against the Binance spot stand-in: a stop loss +
 * take profit as one OCO order list, the market rules read from loadMarkets, balances as
 * positions, and order updates by polling.
 */
import { Decimal } from '@utm/db';
import { startBinanceServer, type BinanceSpotServer } from '@utm/testkit';
import type { BrokerOrderUpdate } from '../../../src/venues/broker/types';
import { ccxtFor, orderRequest } from '../../support/ccxt';

let server: BinanceSpotServer;
const symbols = new Map<string, string>();
beforeEach(async () => {
  server = await startBinanceServer({ balances: { USDT: '1000', BTC: '0.01' } });
  server.setPrice('BTCUSDT', '65000');
});
afterEach(async () => {
  await server.close();
});

const ocoRequest = () =>
  orderRequest({
    side: 'SELL',
    type: 'LIMIT',
    limitPrice: new Decimal('67000'),
    timeInForce: 'GTC',
    oco: { takeProfitLimitPrice: new Decimal('67000'), stopLossStopPrice: new Decimal('63000') },
  });

describe('ccxt venue (Binance spot): stop loss + take profit as one OCO order list', () => {
  it('places the list under our take-profit id (orderList/oco), the stop reported as its leg', async () => {
    const req = ocoRequest();
    const placed = await ccxtFor(server, symbols).broker.place(req);
    expect(placed).toMatchObject({ clientOrderId: req.clientOrderId, status: 'ACCEPTED' });
    expect(placed.legs).toEqual([expect.objectContaining({ status: 'ACCEPTED', brokerOrderId: 'BTCUSDT:1' })]);
    const [call] = server.calls('POST', '/api/v3/orderList/oco');
    expect(Object.fromEntries(call?.params ?? [])).toMatchObject({
      symbol: 'BTCUSDT',
      side: 'SELL',
      quantity: '0.01',
      listClientOrderId: req.clientOrderId,
      aboveType: 'LIMIT_MAKER',
      abovePrice: '67000',
      aboveClientOrderId: req.clientOrderId,
      belowType: 'STOP_LOSS',
      belowStopPrice: '63000',
    });
  });

  it('reads the list back by our id (a fresh process), follows one leg executing, and cancels the list by our id', async () => {
    const req = ocoRequest();
    await ccxtFor(server, symbols).broker.place(req);
    symbols.set(req.clientOrderId, 'BTC/USDT');
    const fresh = ccxtFor(server, symbols).broker;
    server.setPrice('BTCUSDT', '62950');
    const after = await fresh.findByClientOrderId(req.clientOrderId);
    expect(after).toMatchObject({ status: 'EXPIRED', reason: 'OCO_TRIGGER' });
    expect(after?.legs[0]).toMatchObject({ status: 'FILLED', avgFillPrice: new Decimal('62950') });

    const second = ocoRequest();
    server.setPrice('BTCUSDT', '65000');
    server.setBalance('BTC', '0.01');
    await fresh.place(second);
    await fresh.cancel(second.clientOrderId);
    const gone = await fresh.findByClientOrderId(second.clientOrderId);
    expect([gone?.status, gone?.legs[0]?.status]).toEqual(['CANCELLED', 'CANCELLED']);
  });

  it('refuses prices on the wrong side of the market with STOP_PRICE_REFUSED', async () => {
    const req = ocoRequest();
    req.oco = { takeProfitLimitPrice: new Decimal('64000'), stopLossStopPrice: new Decimal('63000') };
    await expect(ccxtFor(server, symbols).broker.place(req)).rejects.toMatchObject({
      code: 'STOP_PRICE_REFUSED',
    });
  });
});

describe('ccxt venue (Binance spot): rules, balances, updates', () => {
  it('says what Binance lists of an instrument (exchangeInfo filters), for instrument_rules under ccxt:binance', async () => {
    const rules = await ccxtFor(server, symbols).broker.instrument('BTC/USDT');
    expect(rules).toMatchObject({
      venue: 'ccxt:binance',
      symbol: 'BTC/USDT',
      assetClass: 'spot',
      tradable: true,
      shortable: false,
      fractionable: true,
    });
    expect(
      [rules?.quantityStep, rules?.minQuantity, rules?.tickSize, rules?.minNotional].map((d) => d?.toFixed()),
    ).toEqual(['0.00001', '0.00001', '0.01', '5']);
    expect(await ccxtFor(server, symbols).broker.instrument('NOPE/USDT')).toBeNull();
  });

  it('shows balances as positions: every asset held but the quote currency, long, free + held', async () => {
    const broker = ccxtFor(server, symbols).broker;
    await broker.place(
      orderRequest({
        side: 'SELL',
        type: 'LIMIT',
        quantity: new Decimal('0.004'),
        limitPrice: new Decimal('70000'),
        timeInForce: 'GTC',
      }),
    );
    const snap = await broker.snapshot();
    expect(snap.cash.toFixed()).toBe('1000');
    expect(snap.positions.map((p) => [p.symbol, p.quantity.toFixed()])).toEqual([['BTC/USDT', '0.01']]);
  });

  it('polls open orders and reports each change once (a partial fill, then the rest)', async () => {
    const conn = ccxtFor(server, symbols, { pollIntervalMs: 50 });
    const seen: BrokerOrderUpdate[] = [];
    conn.updates.onUpdate((u) => seen.push(u));
    const req = orderRequest({
      type: 'LIMIT',
      quantity: new Decimal('0.01'),
      limitPrice: new Decimal('64000'),
      timeInForce: 'GTC',
    });
    await conn.broker.place(req);
    await conn.updates.start();
    try {
      server.fill(req.clientOrderId, '0.004');
      await until(() => seen.length === 1);
      server.fill(req.clientOrderId);
      await until(() => seen.length === 2);
      expect(seen.map((u) => [u.order.status, u.order.filledQuantity.toFixed()])).toEqual([
        ['PARTIALLY_FILLED', '0.004'],
        ['FILLED', '0.01'],
      ]);
      expect(conn.broker.watched.size).toBe(0);
    } finally {
      await conn.updates.stop();
    }
  });
});

async function until(ok: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
