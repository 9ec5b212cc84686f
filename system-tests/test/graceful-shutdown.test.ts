import { withProcessOutput } from '@utm/testkit';
import { Cluster, type Replica } from './support/cluster';
import { SignalLoad } from './support/load';
import { outcomes, waitForStatuses } from './support/outcomes';
import { RawConnection } from './support/raw-http';

/**
 * Graceful shutdown of the built services as real processes (issue #5, point 5). SIGTERM: the
 * gateway refuses new requests with 503 and fails readiness while the requests in flight
 * finish, then closes its kept-alive connections; the workers take no new job, finish the
 * one in hand and close their stores; every process exits 0 within SHUTDOWN_TIMEOUT_MS. No
 * accepted signal is lost or acted on twice across the restarts.
 */
const SHUTDOWN_TIMEOUT_MS = 10000;
/** How late the exit may be observed after the bound (a loaded machine's scheduling). */
const SLACK_MS = 1500;

async function sigterm(r: Replica): Promise<void> {
  const sent = Date.now();
  const exit = await r.proc.stop('SIGTERM', SHUTDOWN_TIMEOUT_MS + 10000);
  expect({ service: r.proc.label, code: exit.code, signal: exit.signal }).toEqual({
    service: r.proc.label,
    code: 0,
    signal: null,
  });
  expect(exit.at - sent).toBeLessThan(SHUTDOWN_TIMEOUT_MS + SLACK_MS);
}

describe('graceful shutdown (real processes)', () => {
  const c = new Cluster({ label: 'shutdown', shutdownTimeoutMs: SHUTDOWN_TIMEOUT_MS });

  beforeAll(async () => {
    await c.start();
  }, 60000);
  afterAll(async () => {
    await c.stop();
  }, 60000);

  it('gateway: a request in flight finishes (202, Connection: close); new ones get 503 and /readyz fails; exit 0', async () => {
    await withProcessOutput(
      () => c.started,
      async () => {
        const f = await c.fixture();
        const gw = await c.replica('ingest-gateway');
        const body = JSON.stringify({
          symbol: 'DRAIN',
          action: 'openLong',
          accountId: f.accountId,
          quantity: 1,
          price: 10,
        });
        const auth = { 'Content-Type': 'application/json', 'X-API-Key': f.apiKey };

        // A kept-alive connection that has already served a request, now idle...
        const idle = await RawConnection.open(gw.port);
        idle.write(RawConnection.request('GET', '/healthz', {}).join(''));
        expect((await idle.response()).headers.connection).toBe('keep-alive');
        // ...and a signal whose body is half sent: in flight when SIGTERM arrives.
        const slow = await RawConnection.open(gw.port);
        const [head, rest] = RawConnection.request('POST', '/api/v1/signals/ingest', auth, body, 20);
        slow.write(head);
        await new Promise((r) => setTimeout(r, 500));

        const sent = Date.now();
        gw.proc.child.kill('SIGTERM');
        // Readiness fails while the listener stays open.
        let ready: Response | undefined;
        for (let i = 0; i < 50 && ready?.status !== 503; i++) {
          ready = await fetch(`${gw.url}/readyz`);
          if (ready.status !== 503) await new Promise((r) => setTimeout(r, 50));
        }
        expect(ready?.status).toBe(503);
        expect(await ready?.json()).toMatchObject({ status: 'shutting-down' });
        expect(ready?.headers.get('connection')).toBe('close');

        // A new request, on a new connection: 503 with the API's error body, nothing stored.
        const fresh = await fetch(`${gw.url}/api/v1/signals/ingest`, {
          method: 'POST',
          headers: auth,
          body: body.replace('DRAIN', 'LATE'),
        });
        expect(fresh.status).toBe(503);
        expect(fresh.headers.get('connection')).toBe('close');
        expect(fresh.headers.get('x-request-id')).toBeTruthy();
        expect(await fresh.json()).toEqual({
          success: false,
          error: 'SERVICE_UNAVAILABLE',
          message: expect.stringContaining('shutting down'),
        });

        // A new request on the idle kept-alive connection: 503 too, then the connection is closed.
        idle.write(
          RawConnection.request('POST', '/api/v1/signals/ingest', auth, body.replace('DRAIN', 'IDLE')).join(''),
        );
        const onIdle = await idle.response();
        expect({
          status: onIdle.status,
          connection: onIdle.headers.connection,
          error: (JSON.parse(onIdle.body) as { error: string }).error,
        }).toEqual({ status: 503, connection: 'close', error: 'SERVICE_UNAVAILABLE' });
        expect(await idle.closedWithin(2000)).toBe(true);

        // The request in flight completes: accepted, and its connection closed after the answer.
        slow.write(rest);
        const accepted = await slow.response();
        expect(accepted.status).toBe(202);
        expect(accepted.headers.connection).toBe('close');
        expect(await slow.closedWithin(2000)).toBe(true);
        const signalId = (JSON.parse(accepted.body) as { signalId: string }).signalId;

        const exit = await gw.proc.exited;
        expect({ code: exit.code, signal: exit.signal }).toEqual({ code: 0, signal: null });
        expect(exit.at - sent).toBeLessThan(SHUTDOWN_TIMEOUT_MS + SLACK_MS);
        // Only the request in flight was stored.
        const stored = [...(await outcomes(c.db)).values()].filter((s) => s.accountId === f.accountId);
        expect(stored.map((s) => s.id)).toEqual([signalId]);
      },
    );
  }, 60000);

  it('SIGTERM to each service under load: each exits 0 in time; after restarts every 202 is FILLED, with one fill per entry order', async () => {
    await withProcessOutput(
      () => c.started,
      async () => {
        await c.quote('GRACE', '10');
        const fixtures = await Promise.all(
          [1, 2, 3, 4].map(() => c.fixture({ cash: '1000000000', rateLimit: 1_000_000 })),
        );
        let [gw, processor, executor] = (await c.replicas([
          'ingest-gateway',
          'signal-processor',
          'broker-executor',
        ])) as [Replica, Replica, Replica];
        const load = new SignalLoad({
          gateways: () => [gw.url],
          fixtures,
          senders: 3,
          pauseMs: 25,
          body: () => ({ symbol: 'GRACE', action: 'openLong', quantity: 1 }),
        });
        load.start();
        try {
          await load.acceptMore(25);
          await sigterm(gw);
          gw = await c.replica('ingest-gateway', gw.port);
          // A worker that was the queue's only consumer leaves no job active behind it: the
          // one in hand was finished, not abandoned to stall detection.
          await load.acceptMore(25);
          await sigterm(processor);
          expect(await c.queue('signals').getActiveCount()).toBe(0);
          processor = await c.replica('signal-processor');
          await load.acceptMore(25);
          await sigterm(executor);
          expect(await c.queue('orders').getActiveCount()).toBe(0);
          executor = await c.replica('broker-executor');
          await load.acceptMore(25);
        } finally {
          await load.stop();
        }

        // The gateway answered 202 or 503, nothing else; a 503 is SERVICE_UNAVAILABLE.
        const answered = load.attempts.filter((a) => a.status !== undefined);
        expect(answered.filter((a) => a.status !== 202 && a.status !== 503)).toEqual([]);
        expect(
          answered.filter(
            (a) => a.status === 503 && (a.errorCode !== 'SERVICE_UNAVAILABLE' || a.connection !== 'close'),
          ),
        ).toEqual([]);

        // No accepted request lost its answer (reset, refused): the stored signals are exactly the 202s.
        const accepted = load.accepted();
        const acceptedIds = new Set(accepted.map((a) => a.signalId));
        const stored = await outcomes(c.db);
        const unanswered = [...stored.values()].filter(
          (s) => s.idempotencyKey?.startsWith('load-') && !acceptedIds.has(s.id),
        );
        expect(
          unanswered.map((s) => ({
            id: s.id,
            attempt: load.attempts.find((a) => a.idempotencyKey === s.idempotencyKey),
          })),
        ).toEqual([]);
        expect([...acceptedIds].filter((id) => id === undefined || !stored.has(id))).toEqual([]);

        // Every accepted signal reaches its end (FILLED: market orders against a quote), each entry filled once.
        const ids = [...acceptedIds] as string[];
        const done = await waitForStatuses(c.db, ids, ['FILLED'], 45000);
        const entries = [...done.values()].map((s) => s.orders);
        expect(
          entries.filter(
            (o) => o.length !== 1 || o[0]?.role !== 'ENTRY' || o[0]?.fills !== 1 || o[0]?.status !== 'FILLED',
          ),
        ).toEqual([]);
        // And the books agree: each account holds one unit per accepted signal, no more.
        const { rows } = await c.db.pool.query<{ account_id: string; quantity: string }>(
          `SELECT account_id, quantity::text FROM positions WHERE symbol = 'GRACE'`,
        );
        const held = Object.fromEntries(rows.map((r) => [r.account_id, Number(r.quantity)]));
        const expected = Object.fromEntries(
          fixtures.map((f) => [f.accountId, accepted.filter((a) => a.accountId === f.accountId).length]),
        );
        expect(held).toEqual(expected);
      },
    );
  }, 120000);
});
