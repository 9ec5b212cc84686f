import { randomUUID } from 'node:crypto';
import { startAlpacaServer, withProcessOutput, type AlpacaTestServer, type Fixture } from '@utm/testkit';
import { Cluster, type Replica } from './support/cluster';
import { postJson, type Answer } from './support/load';
import { outcomes, TERMINAL, waitForStatuses } from './support/outcomes';

/**
 * Scale-out (issue #5, point 6): two gateways, two processors and two executors, as real
 * processes, against one Postgres and one Redis, keep every promise of docs/contract.md: one rate
 * limit per key across gateways, idempotency across gateways, per-account order across
 * processors, and each order placed at its broker exactly once across executors.
 */
const count = (answers: Answer[], status: number) => answers.filter((a) => a.status === status).length;

describe('two replicas of every service, one Postgres, one Redis', () => {
  let alpaca: AlpacaTestServer;
  let c: Cluster;
  let gateways: Replica[] = [];
  let processors: Replica[] = [];
  let executors: Replica[] = [];

  const ingest = (i: number, f: Fixture, body: Record<string, unknown>) =>
    postJson(
      `${gateways[i % gateways.length]?.url}/api/v1/signals/ingest`,
      { 'x-api-key': f.apiKey },
      { accountId: f.accountId, ...body },
    );
  const withOutput = <T>(fn: () => Promise<T>) => withProcessOutput(() => c.started, fn);

  beforeAll(async () => {
    alpaca = await startAlpacaServer();
    c = await new Cluster({ label: 'scaleout', shutdownTimeoutMs: 10000, alpaca }).start();
    await withOutput(async () => {
      const all = await c.replicas([
        'ingest-gateway',
        'ingest-gateway',
        'signal-processor',
        'signal-processor',
        'broker-executor',
        'broker-executor',
      ]);
      gateways = all.filter((r) => r.name === 'ingest-gateway');
      processors = all.filter((r) => r.name === 'signal-processor');
      executors = all.filter((r) => r.name === 'broker-executor');
    });
  }, 90000);
  afterAll(async () => {
    await c?.stop();
    await alpaca?.close();
  }, 60000);

  it('rate limit: a key limited to 10 a minute gets exactly 10 accepted across both gateways, the rest 429 with Retry-After', () =>
    withOutput(async () => {
      const f = await c.fixture({ rateLimit: 10 });
      await c.quote('RATE', '10');
      const answers = await Promise.all(
        Array.from({ length: 30 }, (_, i) => ingest(i, f, { symbol: 'RATE', action: 'openLong', quantity: 1 })),
      );
      expect({
        accepted: count(answers, 202),
        limited: count(answers, 429),
        other: answers.length - count(answers, 202) - count(answers, 429),
      }).toEqual({ accepted: 10, limited: 20, other: 0 });
      for (const a of answers.filter((x) => x.status === 429)) {
        expect(a.json.error).toBe('RATE_LIMIT_EXCEEDED');
        expect(Number(a.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      }
      // Each gateway got 15 requests, more than the limit: each must have refused some.
      for (const g of [0, 1])
        expect(answers.filter((a, i) => i % 2 === g && a.status === 429).length).toBeGreaterThanOrEqual(5);
    }));

  it('idempotency: the same key and body sent concurrently to both gateways is one signal; a different body is 409', () =>
    withOutput(async () => {
      const f = await c.fixture();
      await c.quote('IDEM', '10');
      const body = { symbol: 'IDEM', action: 'openLong', quantity: 2, idempotencyKey: `alert-${randomUUID()}` };
      const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => ingest(i, f, body)));
      expect({ created: count(answers, 202), duplicates: count(answers, 200) }).toEqual({ created: 1, duplicates: 9 });
      const signalId = answers.find((a) => a.status === 202)?.json.signalId;
      for (const a of answers.filter((x) => x.status === 200))
        expect(a.json).toMatchObject({ success: true, signalId, duplicate: true });

      const conflicts = await Promise.all([0, 1].map((i) => ingest(i, f, { ...body, quantity: 3 })));
      for (const a of conflicts)
        expect({ status: a.status, error: a.json.error }).toEqual({ status: 409, error: 'IDEMPOTENCY_CONFLICT' });
      const stored = [...(await outcomes(c.db)).values()].filter((s) => s.idempotencyKey === body.idempotencyKey);
      expect(stored.map((s) => s.id)).toEqual([signalId]);
      const [done] = (await waitForStatuses(c.db, [String(signalId)], ['FILLED'])).values();
      expect(done?.orders.map((o) => `${o.role} ${Number(o.quantity)} fills=${o.fills}`)).toEqual(['ENTRY 2 fills=1']);
    }));

  it('per-account order: a script accepted by both gateways and decided by both processors applies in acceptance order', () =>
    withOutput(async () => {
      const accounts = await Promise.all([1, 2, 3].map(() => c.fixture({ cash: '1000000' })));
      await c.quote('ORDR', '10');
      // Each step's outcome depends on the steps before it (the action semantics); swapping any
      // two changes some outcome. The processors find the whole backlog at once (see below), yet
      // each signal is decided on the position its predecessors left: an entry followed by its
      // close is a buy and a sell, never two cancellations.
      const script: [Record<string, unknown>, string][] = [
        [{ action: 'closeLong' }, 'REJECTED NO_POSITION'],
        [{ action: 'openLong', quantity: 1 }, 'FILLED ENTRY BUY 1'],
        [{ action: 'openShort', quantity: 1 }, 'REJECTED POSITION_CONFLICT'],
        [{ action: 'closeLong' }, 'FILLED CLOSE SELL 1'],
        [{ action: 'openShort', quantity: 2 }, 'FILLED ENTRY SELL 2'],
        [{ action: 'openLong', quantity: 1 }, 'REJECTED POSITION_CONFLICT'],
        [{ action: 'closeShort' }, 'FILLED CLOSE BUY 2'],
        [{ action: 'closeShort' }, 'REJECTED NO_POSITION'],
        [{ action: 'openLong', quantity: 3 }, 'FILLED ENTRY BUY 3'],
        [{ action: 'openLong', quantity: 1 }, 'FILLED ENTRY BUY 1'],
      ];
      // Both processors paused while the signals arrive: both then race for the whole backlog.
      for (const p of processors) p.proc.child.kill('SIGSTOP');
      let chains: string[][];
      try {
        chains = await Promise.all(
          accounts.map(async (f) => {
            const ids: string[] = [];
            for (const [k, [step]] of script.entries()) {
              const a = await ingest(k, f, { symbol: 'ORDR', ...step });
              expect(a.status).toBe(202);
              ids.push(String(a.json.signalId));
            }
            return ids;
          }),
        );
      } finally {
        for (const p of processors) p.proc.child.kill('SIGCONT');
      }
      const done = await waitForStatuses(c.db, chains.flat(), TERMINAL, 45000);
      for (const ids of chains) {
        const seq = ids.map((id) => done.get(id));
        const seqs = seq.map((s) => s?.seq ?? -1n);
        expect(seqs).toEqual([...seqs].sort((a, b) => (a < b ? -1 : 1)));
        const got = seq.map((s) =>
          [s?.status, s?.errorCode ?? '', ...(s?.orders ?? []).map((o) => `${o.role} ${o.side} ${Number(o.quantity)}`)]
            .filter(Boolean)
            .join(' '),
        );
        expect(got).toEqual(script.map(([, outcome]) => outcome));
      }
      const { rows } = await c.db.pool.query<{ quantity: string }>(
        `SELECT quantity::text FROM positions WHERE symbol = 'ORDR' AND account_id = ANY($1::uuid[])`,
        [accounts.map((f) => f.accountId)],
      );
      expect(rows.map((r) => Number(r.quantity))).toEqual([4, 4, 4]);
    }));

  it('exactly once at Alpaca: every order is placed once across two executors, even when the answer to a placement is lost', () =>
    withOutput(async () => {
      const f = await c.alpacaFixture(alpaca, { cash: '1000000' });
      await c.quote('ONCE', '10');
      // The first two placements are created at Alpaca and then their connection drops.
      alpaca.fault('POST', '/v2/orders', { kind: 'acceptThenDrop' }, 2);
      const answers = await Promise.all(
        Array.from({ length: 12 }, (_, i) => ingest(i, f, { symbol: 'ONCE', action: 'openLong', quantity: 1 })),
      );
      expect(count(answers, 202)).toBe(12);
      const ids = answers.map((a) => String(a.json.signalId));
      const submitted = await waitForStatuses(c.db, ids, ['SUBMITTED'], 45000);

      const orderIds = [...submitted.values()].flatMap((s) => s.orders.map((o) => o.id));
      expect(orderIds).toHaveLength(12);
      const atBroker = [...alpaca.book.orders.values()].filter((o) => o.symbol === 'ONCE');
      expect(atBroker.map((o) => o.client_order_id).sort()).toEqual([...orderIds].sort());
      expect(
        alpaca.calls('POST', '/v2/orders').filter((r) => (r.body as { symbol?: string } | null)?.symbol === 'ONCE'),
      ).toHaveLength(12);
      for (const s of submitted.values())
        expect(s.orders[0]?.brokerOrderId).toBe(alpaca.book.byClientId(s.orders[0]?.id ?? '')?.id);

      // Fills reach both executors over the stream; each is recorded once.
      for (const o of atBroker) alpaca.fill(o.id, '10.05');
      const filled = await waitForStatuses(c.db, ids, ['FILLED'], 30000);
      expect([...filled.values()].filter((s) => s.orders[0]?.fills !== 1)).toEqual([]);
    }));

  it('exactly once on the paper engine: a burst over both gateways fills every entry once', () =>
    withOutput(async () => {
      const accounts = await Promise.all([1, 2, 3, 4].map(() => c.fixture({ cash: '1000000' })));
      await c.quote('PAPR', '10');
      const answers = await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          ingest(i, accounts[i % 4] as Fixture, { symbol: 'PAPR', action: 'openLong', quantity: 1 }),
        ),
      );
      expect(count(answers, 202)).toBe(40);
      const done = await waitForStatuses(
        c.db,
        answers.map((a) => String(a.json.signalId)),
        ['FILLED'],
        45000,
      );
      expect([...done.values()].filter((s) => s.orders.length !== 1 || s.orders[0]?.fills !== 1)).toEqual([]);
      const { rows } = await c.db.pool.query<{ quantity: string }>(
        `SELECT quantity::text FROM positions WHERE symbol = 'PAPR' ORDER BY account_id`,
      );
      expect(rows.map((r) => Number(r.quantity))).toEqual([10, 10, 10, 10]);
      // Across everything this cluster did, no order was filled twice.
      const { rows: twice } = await c.db.pool.query(
        `SELECT order_id, count(*) FROM fills GROUP BY order_id HAVING count(*) > 1`,
      );
      expect(twice).toEqual([]);
    }));

  it('every replica is still up, and each stops cleanly on SIGTERM', () =>
    withOutput(async () => {
      const replicas = [...gateways, ...processors, ...executors];
      expect(replicas.filter((r) => !r.proc.running()).map((r) => r.proc.label)).toEqual([]);
      const exits = await Promise.all(replicas.map((r) => r.proc.stop('SIGTERM', 20000)));
      expect(exits.map((e, i) => `${replicas[i]?.proc.label}: ${e.code ?? e.signal}`)).toEqual(
        replicas.map((r) => `${r.proc.label}: 0`),
      );
    }));
});
