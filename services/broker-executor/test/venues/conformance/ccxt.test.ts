import { Decimal } from '@utm/db';
import { startBinanceServer, type BinanceSpotServer } from '@utm/testkit';
import { ccxtFor } from '../../support/ccxt';
import { describeBrokerConformance } from './broker-conformance';

let server: BinanceSpotServer;
const symbols = new Map<string, string>();

describeBrokerConformance('ccxt (Binance spot stand-in)', {
  async start() {
    server = await startBinanceServer({ balances: { USDT: '100000' } });
    server.setPrice('BTCUSDT', '65000');
  },
  stop: () => server.close(),
  broker: () => ccxtFor(server, symbols).broker,
  restingBuy: () => ({
    symbol: 'BTC/USDT',
    side: 'BUY',
    type: 'LIMIT',
    quantity: new Decimal('0.04'),
    limitPrice: new Decimal('64000'),
    stopPrice: null,
    trailPercent: null,
    trailAmount: null,
    timeInForce: 'GTC',
  }),
  fill: async (id, quantity) => void server.fill(id, quantity?.toFixed()),
  loseNextPlacementAnswer: () => server.fault('POST', '/api/v3/order', { kind: 'acceptThenHang' }),
  cancelAtVenue: async (id) => void server.book.end(server.order(id), 'CANCELED', null),
  ordersAtVenue: (id) => server.book.orders.filter((o) => o.clientOrderId === id).length,
  remember: (req) => void symbols.set(req.clientOrderId, req.symbol),
});
