import { randomUUID } from 'node:crypto';
import { Decimal } from '@utm/db';
import type { Broker, BrokerOrderRequest } from '../../../src/venues/broker/types';

/**
 * What every venue behind the Broker interface must do, the same tests for each (the issue's
 * conformance list: place, duplicate client id, lookup after a timeout, cancel, partial fill,
 * reconciliation drift). A venue joins by giving a harness over its stand-in.
 */
export interface VenueHarness {
  /** Starts the venue's stand-in (before each test). */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** A broker as a fresh process would make it (nothing in memory but what the venue says). */
  broker(): Broker;
  /** A buy limit that rests at the venue (below the market), in a quantity it takes. */
  restingBuy(): Omit<BrokerOrderRequest, 'clientOrderId'>;
  /** The venue executes `quantity` of the order (all that is left when absent) at its limit price. */
  fill(clientOrderId: string, quantity?: Decimal): Promise<void>;
  /** The next placement reaches the venue and is accepted, and its answer is lost. */
  loseNextPlacementAnswer(): void;
  /** The venue ends the order on its own (an exchange-side cancel): our records are now behind. */
  cancelAtVenue(clientOrderId: string): Promise<void>;
  /** How many orders the venue holds under this client order id. */
  ordersAtVenue(clientOrderId: string): number;
  /** Makes our order id known to fresh brokers (a venue keyed by symbol reads it from our orders). */
  remember(req: BrokerOrderRequest): void;
}

export function describeBrokerConformance(venue: string, h: VenueHarness): void {
  describe(`Broker conformance: ${venue}`, () => {
    beforeEach(() => h.start());
    afterEach(() => h.stop());

    const request = (): BrokerOrderRequest => {
      const req = { ...h.restingBuy(), clientOrderId: randomUUID() };
      h.remember(req);
      return req;
    };

    it('places an order under our client order id, and a fresh process finds it by that id', async () => {
      const req = request();
      const placed = await h.broker().place(req);
      expect(placed).toMatchObject({ clientOrderId: req.clientOrderId, status: 'ACCEPTED' });
      expect(placed.filledQuantity.toFixed()).toBe('0');
      const found = await h.broker().findByClientOrderId(req.clientOrderId);
      expect(found).toMatchObject({ brokerOrderId: placed.brokerOrderId, status: 'ACCEPTED' });
      expect(h.ordersAtVenue(req.clientOrderId)).toBe(1);
    });

    it('answers null for an id it has never seen', async () => {
      expect(await h.broker().findByClientOrderId(request().clientOrderId)).toBeNull();
    });

    it('places a duplicate client order id once: the second placement is the same order', async () => {
      const req = request();
      const first = await h.broker().place(req);
      const second = await h.broker().place(req);
      expect(second.brokerOrderId).toBe(first.brokerOrderId);
      expect(h.ordersAtVenue(req.clientOrderId)).toBe(1);
    });

    it('after a timeout on an accepted placement, the order is found by its id and never placed twice', async () => {
      const req = request();
      h.loseNextPlacementAnswer();
      const outcome = await h
        .broker()
        .place(req)
        .then(
          (o) => o,
          (err: unknown) => err,
        );
      // Either the adapter looked it up itself, or it says "uncertain" for the caller to look it up.
      if (outcome instanceof Error)
        expect(outcome).toMatchObject({ opts: expect.objectContaining({ uncertain: true }) });
      const found = await h.broker().findByClientOrderId(req.clientOrderId);
      expect(found).toMatchObject({ clientOrderId: req.clientOrderId, status: 'ACCEPTED' });
      if (!(outcome instanceof Error))
        expect(found?.brokerOrderId).toBe((outcome as { brokerOrderId: string }).brokerOrderId);
      expect(h.ordersAtVenue(req.clientOrderId)).toBe(1);
    });

    it('cancels by our id (final once the venue says so), again without harm, and says 404 for an id it never saw', async () => {
      const req = request();
      const broker = h.broker();
      await broker.place(req);
      await broker.cancel(req.clientOrderId);
      // Taking the cancel is not ending the order (Alpaca: pending_cancel first).
      const ended = await eventually(
        () => broker.findByClientOrderId(req.clientOrderId),
        (o) => o?.status === 'CANCELLED',
      );
      expect(ended).toMatchObject({ status: 'CANCELLED' });
      await broker.cancel(req.clientOrderId);
      await expect(h.broker().cancel(request().clientOrderId)).rejects.toMatchObject({
        opts: expect.objectContaining({ status: 404 }),
      });
    });

    it('reports a partial fill, then the rest, with cumulative quantity and average price', async () => {
      const req = request();
      await h.broker().place(req);
      const part = req.quantity.div(4);
      await h.fill(req.clientOrderId, part);
      const partly = await h.broker().findByClientOrderId(req.clientOrderId);
      expect(partly?.status).toBe('PARTIALLY_FILLED');
      expect(partly?.filledQuantity.toFixed()).toBe(part.toFixed());
      await h.fill(req.clientOrderId);
      const filled = await h.broker().findByClientOrderId(req.clientOrderId);
      expect(filled?.status).toBe('FILLED');
      expect(filled?.filledQuantity.toFixed()).toBe(req.quantity.toFixed());
      expect(filled?.avgFillPrice?.toFixed()).toBe(req.limitPrice?.toFixed());
    });

    it('shows drift to reconciliation: an order the venue ended on its own is reported ended, and no longer open', async () => {
      const req = request();
      const broker = h.broker();
      await broker.place(req);
      expect((await broker.openOrders()).map((o) => o.clientOrderId)).toContain(req.clientOrderId);
      await h.cancelAtVenue(req.clientOrderId);
      const ended = await eventually(
        () => h.broker().findByClientOrderId(req.clientOrderId),
        (o) => o?.status === 'CANCELLED',
      );
      expect(ended).toMatchObject({ status: 'CANCELLED' });
      expect((await h.broker().openOrders()).map((o) => o.clientOrderId)).not.toContain(req.clientOrderId);
    });
  });
}

/** What `read` gives once `ok` holds, asked again for a few seconds (a venue ends an order asynchronously). */
async function eventually<T>(read: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (ok(v) || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 25));
  }
}
