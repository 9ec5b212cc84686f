import { Decimal } from '@utm/db';
import { startAlpacaServer, type AlpacaTestServer } from '@utm/testkit';
import { AlpacaBroker } from '../../../src/venues/alpaca';
import { describeBrokerConformance } from './broker-conformance';

let server: AlpacaTestServer;

describeBrokerConformance('alpaca (Alpaca contract server)', {
  async start() {
    server = await startAlpacaServer();
  },
  stop: () => server.close(),
  broker: () =>
    new AlpacaBroker({
      baseUrl: server.url,
      credentials: { keyId: server.keyId, secretKey: server.secretKey },
      timeoutMs: 700,
      sleep: async () => undefined,
    }),
  restingBuy: () => ({
    symbol: 'AAPL',
    side: 'BUY',
    type: 'LIMIT',
    quantity: new Decimal('8'),
    limitPrice: new Decimal('150'),
    stopPrice: null,
    trailPercent: null,
    trailAmount: null,
    timeInForce: 'GTC',
  }),
  fill: async (id, quantity) => void server.fill(id, '150', quantity?.toFixed()),
  loseNextPlacementAnswer: () => server.fault('POST', '/v2/orders', { kind: 'acceptThenHang' }),
  cancelAtVenue: async (id) => server.setStatus(id, 'canceled'),
  ordersAtVenue: (id) => [...server.book.orders.values()].filter((o) => o.client_order_id === id).length,
  remember: () => undefined,
});
