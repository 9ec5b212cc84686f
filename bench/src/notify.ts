import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from 'pg';
import { createDb, type Db } from '@utm/db';
import { encryptWebhookCredentials, generateWebhookSecret } from '@utm/security';
import { createFixture } from '@utm/testkit';
import { freePort, startProcess, until, waitReady } from './procs';
import { quantile } from './stats';

/**
 * The notifier (its built process, as in production) at an offered rate of deliveries: facts
 * committed at an even pace (signal_events rows, FILLED, as the executor writes them), each
 * owner having `endpointsPerUser` webhook endpoints on a local receiver. Latency is from the
 * fact's record (its `at`, stamped inside the committing transaction) to the receiver's
 * arrival. A second run adds one endpoint that never answers, taking `hangingShare` of the
 * facts, and reports the other endpoints' latency beside the first run's.
 */
export interface NotifyOpts {
  databaseUrl: string;
  redisUrl: string;
  /** Deliveries per second offered (facts per second × endpointsPerUser). */
  rate: number;
  warmupS: number;
  durationS: number;
  users: number;
  endpointsPerUser: number;
  /** Share of the facts whose owner's one endpoint hangs (the second run). */
  hangingShare: number;
}

export interface NotifyRun {
  hanging: boolean;
  offered: number;
  /** Deliveries to the answering endpoints that arrived, of those expected, in the window. */
  delivered: number;
  expected: number;
  rate: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Requests the hanging endpoint held at once, at most (its cap). */
  hangingHeld: number;
}

export interface NotifyReport {
  rate: number;
  durationS: number;
  warmupS: number;
  users: number;
  endpointsPerUser: number;
  hangingShare: number;
  normal: NotifyRun;
  withHanging: NotifyRun;
}

interface Arrival {
  at: number;
  factAt: number;
}

/** The local receiver: 204 at once, recording each arrival with its fact's time. */
function receiver(): Promise<{ server: Server; url: string; arrivals: Arrival[] }> {
  const arrivals: Arrival[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const at = Date.now();
      const ts = /"timestamp":"([^"]+)"/.exec(Buffer.concat(chunks).toString('utf8'))?.[1];
      if (ts) arrivals.push({ at, factAt: Date.parse(ts) });
      res.writeHead(204).end();
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, arrivals }),
    ),
  );
}

/** A receiver that never answers: every request is held open (the notifier's timeout ends it). */
function hangingReceiver(): Promise<{ server: Server; url: string; maxOpen: () => number }> {
  let open = 0;
  let max = 0;
  const server = createServer((req) => {
    open += 1;
    max = Math.max(max, open);
    req.socket.once('close', () => (open -= 1));
    req.resume();
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hang`, maxOpen: () => max }),
    ),
  );
}

async function endpoint(db: Db, key: Buffer, userId: string, url: string): Promise<void> {
  const id = randomUUID();
  await db.prisma.webhook.create({
    data: {
      id,
      userId,
      kind: 'webhook',
      events: ['signal.filled'],
      displayUrl: url,
      credentials: new Uint8Array(encryptWebhookCredentials(key, id, { url, secret: generateWebhookSecret() })),
    },
  });
}

/** One signal row per fact to come (a signal's data grows with its events). */
async function signalsFor(db: Db, userId: string, accountId: string, n: number): Promise<string[]> {
  const { rows } = await db.pool.query<{ id: string }>(
    `INSERT INTO signals (id, user_id, account_id, status, symbol, action, request)
     SELECT gen_random_uuid(), $1, $2, 'FILLED', 'AAPL', 'openLong', '{"symbol":"AAPL","quantity":1}'::jsonb FROM generate_series(1, $3)
     RETURNING id`,
    [userId, accountId, n],
  );
  return rows.map((r) => r.id);
}

async function runOnce(o: NotifyOpts, hanging: boolean): Promise<NotifyRun> {
  const db = createDb({ url: o.databaseUrl, poolMax: 4 });
  const key = randomBytes(32);
  const rx = await receiver();
  const hang = await hangingReceiver();
  const prefix = `{bench-notify-${randomUUID().slice(0, 8)}}`;
  const factsPerS = o.rate / o.endpointsPerUser;
  const total = Math.ceil(factsPerS * (o.warmupS + o.durationS));
  const perUser = Math.ceil(total / o.users) + 1;
  const owners: { signals: string[]; next: number }[] = [];
  for (let u = 0; u < o.users; u++) {
    const f = await createFixture(db.prisma);
    for (let e = 0; e < o.endpointsPerUser; e++) await endpoint(db, key, f.userId, rx.url);
    owners.push({ signals: await signalsFor(db, f.userId, f.accountId, perUser), next: 0 });
  }
  const hangOwner = await createFixture(db.prisma);
  await endpoint(db, key, hangOwner.userId, hang.url);
  const hangSignals = await signalsFor(
    db,
    hangOwner.userId,
    hangOwner.accountId,
    Math.ceil(total * o.hangingShare) + 10,
  );
  let hangNext = 0;

  const opsPort = await freePort();
  const notifier = startProcess(
    'services/notifier/dist/main.js',
    {
      DATABASE_URL: o.databaseUrl,
      REDIS_URL: o.redisUrl,
      QUEUE_PREFIX: prefix,
      UTM_ENCRYPTION_KEY: key.toString('hex'),
      WEBHOOK_ALLOW_PRIVATE: 'true',
      OPS_PORT: String(opsPort),
      LOG_LEVEL: 'error',
    },
    'notifier',
  );
  const writer = new Client({ connectionString: o.databaseUrl });
  await writer.connect();
  try {
    await waitReady(`http://127.0.0.1:${opsPort}/readyz`);
    // Facts at an even pace: every 10 ms the facts due by then, in one committed statement.
    const start = Date.now();
    const end = start + (o.warmupS + o.durationS) * 1000;
    const windowFrom = start + o.warmupS * 1000;
    let written = 0;
    let expected = 0;
    for (let t = Date.now(); t < end; t = Date.now()) {
      const due = Math.floor(((t - start) / 1000) * factsPerS) - written;
      if (due > 0) {
        const ids: string[] = [];
        for (let i = 0; i < due; i++) {
          const n = written + i;
          if (hanging && n % Math.round(1 / o.hangingShare) === 0 && hangNext < hangSignals.length) {
            ids.push(hangSignals[hangNext++] as string);
            continue;
          }
          const owner = owners[n % owners.length] as { signals: string[]; next: number };
          ids.push(owner.signals[owner.next++] as string);
          if (t >= windowFrom) expected += o.endpointsPerUser;
        }
        await writer.query(
          "INSERT INTO signal_events (signal_id, type, message) SELECT unnest($1::uuid[]), 'FILLED', 'Signal FILLED'",
          [ids],
        );
        written += due;
      }
      await new Promise((r) => setTimeout(r, 10));
    }
    const inWindow = () => rx.arrivals.filter((a) => a.factAt >= windowFrom);
    await until('the window’s deliveries', async () => inWindow().length >= expected, 60000).catch(() => undefined);
    const lat = inWindow().map((a) => a.at - a.factAt);
    return {
      hanging,
      offered: o.rate,
      delivered: lat.length,
      expected,
      rate: Math.round(lat.length / o.durationS),
      p50Ms: Math.round(quantile(lat, 0.5)),
      p99Ms: Math.round(quantile(lat, 0.99)),
      maxMs: Math.round(Math.max(0, ...lat)),
      hangingHeld: hang.maxOpen(),
    };
  } finally {
    await notifier.stop();
    await writer.end();
    rx.server.close();
    hang.server.closeAllConnections();
    hang.server.close();
    await db.close();
  }
}

export async function benchNotify(o: NotifyOpts): Promise<NotifyReport> {
  const normal = await runOnce(o, false);
  const withHanging = await runOnce(o, true);
  const { databaseUrl: _d, redisUrl: _r, ...shape } = o;
  return { ...shape, normal, withHanging };
}
