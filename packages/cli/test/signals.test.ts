import { randomUUID } from 'node:crypto';
import { JOBS, type SignalJob } from '@utm/contracts';
import type { Prisma } from '@utm/db';
import { createConsumer, createRedis, Producer, UnrecoverableError, waitForRedis } from '@utm/queue';
import { createFixture, testRedisUrl } from '@utm/testkit';
import { Harness, REDIS_DOWN, UNKNOWN_ID } from './harness';

const h = new Harness();
const conn = createRedis(testRedisUrl(), 'worker');
const queue = { connection: conn, prefix: h.queuePrefix };
const producer = new Producer(JOBS.signals, queue);

afterAll(async () => {
  await producer.queue.obliterate({ force: true }).catch(() => undefined);
  await producer.close();
  conn.disconnect();
  await h.close();
});

async function addSignal(
  f: { userId: string; accountId: string },
  data: Partial<Prisma.SignalUncheckedCreateInput> = {},
) {
  return h.prisma.signal.create({
    data: {
      id: randomUUID(),
      userId: f.userId,
      accountId: f.accountId,
      symbol: 'AAPL',
      action: 'openLong',
      request: { symbol: 'AAPL', action: 'openLong', accountId: f.accountId, quantity: 10 },
      ...data,
    },
  });
}

describe('utm signals list', () => {
  it("lists an account's signals newest first, with errorCode only when set", async () => {
    const f = await createFixture(h.prisma);
    const a = await addSignal(f);
    const b = await addSignal(f, {
      status: 'REJECTED',
      errorCode: 'NO_POSITION',
      errorMessage: 'no long position',
      action: 'closeLong',
    });
    const c = await addSignal(f, { status: 'FILLED', symbol: 'BRK.B' });
    const { code, body } = await h.json<{ signals: Record<string, unknown>[] }>([
      'signals',
      'list',
      '--account',
      f.accountId,
    ]);
    expect(code).toBe(0);
    expect(body.signals.map((s) => s.signalId)).toEqual([c.id, b.id, a.id]);
    expect(body.signals[1]).toEqual({
      signalId: b.id,
      status: 'REJECTED',
      accountId: f.accountId,
      symbol: 'AAPL',
      action: 'closeLong',
      receivedAt: b.receivedAt.toISOString(),
      errorCode: 'NO_POSITION',
    });
    expect(body.signals[0]).not.toHaveProperty('errorCode');
    expect(
      (
        await h.json<{ signals: { signalId: string }[] }>([
          'signals',
          'list',
          '--account',
          f.accountId,
          '--status',
          'rejected',
        ])
      ).body.signals.map((s) => s.signalId),
    ).toEqual([b.id]);
    expect(
      (
        await h.json<{ signals: { signalId: string }[] }>(['signals', 'list', '--account', f.accountId, '--limit', '2'])
      ).body.signals.map((s) => s.signalId),
    ).toEqual([c.id, b.id]);
    const human = await h.run(['signals', 'list', '--account', f.accountId]);
    expect(human.stdout.trimEnd().split('\n')).toHaveLength(3);
    expect(human.stdout).toContain('NO_POSITION');
    expect((await h.run(['signals', 'list', '--account', UNKNOWN_ID])).stdout).toBe('no signals\n');
  });

  it('defaults to 50 across accounts and refuses bad filters', async () => {
    const { body } = await h.json<{ signals: unknown[] }>(['signals', 'list']);
    expect(body.signals.length).toBeLessThanOrEqual(50);
    await h.jsonError(['signals', 'list', '--status', 'DONE'], 'VALIDATION_ERROR');
    await h.jsonError(['signals', 'list', '--limit', '0'], 'VALIDATION_ERROR');
    await h.jsonError(['signals', 'list', '--account', 'acc-1'], 'VALIDATION_ERROR');
  });
});

describe('utm signal show', () => {
  it('shows the signal with its orders and events, decimals as strings', async () => {
    const f = await createFixture(h.prisma);
    const s = await addSignal(f, { status: 'FAILED', errorCode: 'BROKER_ERROR', errorMessage: 'insufficient qty' });
    const orderId = randomUUID();
    await h.prisma.order.create({
      data: {
        id: orderId,
        signalId: s.id,
        accountId: f.accountId,
        role: 'ENTRY',
        symbol: 'AAPL',
        side: 'BUY',
        type: 'LIMIT',
        quantity: '10',
        limitPrice: '150.2500000000',
        timeInForce: 'DAY',
        status: 'REJECTED',
        errorCode: 'BROKER_ERROR',
        errorMessage: 'insufficient qty',
      },
    });
    await h.prisma.signalEvent.create({ data: { signalId: s.id, type: 'PROCESSING', message: 'picked up' } });
    await h.prisma.signalEvent.create({ data: { signalId: s.id, orderId, type: 'FAILED', message: 'broker said no' } });
    const { code, body } = await h.json<Record<string, unknown>>(['signal', 'show', s.id]);
    expect(code).toBe(0);
    expect(body).toMatchObject({
      signalId: s.id,
      status: 'FAILED',
      accountId: f.accountId,
      symbol: 'AAPL',
      action: 'openLong',
      request: s.request,
      receivedAt: s.receivedAt.toISOString(),
      updatedAt: s.updatedAt.toISOString(),
      error: { code: 'BROKER_ERROR', message: 'insufficient qty' },
    });
    expect(body.orders).toEqual([
      {
        orderId,
        signalId: s.id,
        role: 'ENTRY',
        symbol: 'AAPL',
        side: 'BUY',
        type: 'LIMIT',
        quantity: '10',
        limitPrice: '150.25',
        stopPrice: null,
        timeInForce: 'DAY',
        status: 'REJECTED',
        filledQuantity: '0',
        avgFillPrice: null,
        brokerOrderId: null,
        error: { code: 'BROKER_ERROR', message: 'insufficient qty' },
        createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        updatedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      },
    ]);
    expect((body.events as { type: string; at: string }[]).map((e) => e.type)).toEqual(['PROCESSING', 'FAILED']);
    expect((body.events as { at: string }[])[0]?.at).toMatch(/^\d{4}-\d\d-\d\dT/);
    const human = await h.run(['signal', 'show', s.id]);
    expect(human.stdout).toContain(`signal ${s.id}  FAILED`);
    expect(human.stdout).toContain('error BROKER_ERROR: insufficient qty');
    expect(human.stdout).toContain(`order ${orderId} ENTRY BUY 10 AAPL LIMIT limit 150.25 DAY  REJECTED 0`);
  });

  it('has no error field for a signal without one; refuses unknown and malformed ids', async () => {
    const s = await addSignal(await createFixture(h.prisma));
    const { body } = await h.json(['signals', 'show', s.id]);
    expect(body).not.toHaveProperty('error');
    expect(body).toMatchObject({ orders: [], events: [] });
    await h.jsonError(['signal', 'show', UNKNOWN_ID], 'SIGNAL_NOT_FOUND');
    await h.jsonError(['signal', 'show', 'nope'], 'VALIDATION_ERROR');
    await h.jsonError(['signal', 'show'], 'VALIDATION_ERROR');
  });
});

/** A job for the signal that a worker failed for good, as the processor would leave it. */
async function failedJob(data: SignalJob): Promise<void> {
  await producer.add(data);
  const worker = createConsumer(
    JOBS.signals,
    async () => {
      throw new UnrecoverableError('broker said no');
    },
    { connection: createRedis(testRedisUrl(), 'worker'), prefix: h.queuePrefix },
  );
  for (let i = 0; i < 100 && (await producer.queue.getJob(data.signalId))?.failedReason === undefined; i++)
    await new Promise((r) => setTimeout(r, 50));
  await worker.close();
  await worker.disconnect();
  expect(await (await producer.queue.getJob(data.signalId))?.getState()).toBe('failed');
}

describe('utm signal retry', () => {
  it('moves a FAILED signal back to PENDING, records a RETRY event and replaces its failed job', async () => {
    await waitForRedis(conn);
    const f = await createFixture(h.prisma);
    const s = await addSignal(f, { status: 'FAILED', errorCode: 'BROKER_ERROR', errorMessage: 'broker said no' });
    await failedJob({ signalId: s.id, accountId: f.accountId });
    const { code, body, stderr } = await h.json(['signal', 'retry', s.id]);
    expect({ code, body, stderr }).toEqual({
      code: 0,
      body: { signalId: s.id, status: 'PENDING', enqueued: true },
      stderr: '',
    });
    const row = await h.prisma.signal.findUniqueOrThrow({ where: { id: s.id }, include: { events: true } });
    expect(row).toMatchObject({ status: 'PENDING', errorCode: null, errorMessage: null });
    expect(row.events.map((e) => [e.type, e.message])).toEqual([['RETRY', 're-driven by operator']]);
    const job = await producer.queue.getJob(s.id);
    expect(await job?.getState()).toBe('waiting');
    expect(job?.data).toEqual({ signalId: s.id, accountId: f.accountId });
    expect(job?.attemptsMade).toBe(0);
  });

  it('without Redis, leaves the signal PENDING for the outbox sweeper, and says so', async () => {
    const f = await createFixture(h.prisma);
    const s = await addSignal(f, { status: 'FAILED', errorCode: 'RETRIES_EXHAUSTED' });
    const r = await h.json(['signal', 'retry', s.id], { settings: () => h.settings({ redisUrl: REDIS_DOWN }) });
    expect(r).toMatchObject({ code: 0, body: { signalId: s.id, status: 'PENDING', enqueued: false } });
    expect(r.stderr).toMatch(/Redis unavailable.*outbox sweeper will enqueue it/);
    expect(await h.prisma.signal.findUniqueOrThrow({ where: { id: s.id } })).toMatchObject({
      status: 'PENDING',
      errorCode: null,
    });
    const human = await h.run(['signal', 'retry', (await addSignal(f, { status: 'FAILED' })).id], {
      settings: () => h.settings({ redisUrl: undefined }),
    });
    expect(human.stdout).toMatch(/re-driven: PENDING, left to the outbox sweeper\n$/);
    expect(human.stderr).toMatch(/REDIS_URL is not set/);
  });

  it('refuses a signal that is not FAILED, changing nothing; refuses unknown ids', async () => {
    const f = await createFixture(h.prisma);
    for (const status of ['PENDING', 'FILLED', 'REJECTED'] as const) {
      const s = await addSignal(f, { status, errorCode: status === 'REJECTED' ? 'NO_POSITION' : null });
      const { message } = await h.jsonError(['signal', 'retry', s.id], 'VALIDATION_ERROR');
      expect(message).toBe(`signal ${s.id} is ${status}: only FAILED signals can be retried`);
      const row = await h.prisma.signal.findUniqueOrThrow({ where: { id: s.id }, include: { events: true } });
      expect({ status: row.status, events: row.events.length, updatedAt: row.updatedAt }).toEqual({
        status,
        events: 0,
        updatedAt: s.updatedAt,
      });
      expect(await producer.queue.getJob(s.id)).toBeUndefined();
    }
    await h.jsonError(['signal', 'retry', UNKNOWN_ID], 'SIGNAL_NOT_FOUND');
    await h.jsonError(['signal', 'retry', 'x'], 'VALIDATION_ERROR');
  });
});
