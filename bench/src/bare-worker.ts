import { parseArgs } from 'node:util';
import { Pool } from 'pg';
import { JOBS, type OrderJob, type SignalJob } from '@utm/contracts';
import { createConsumer, createRedis, Producer, type Worker } from '@utm/queue';

/**
 * A baseline: a bare BullMQ worker with the platform's consumer wrapper (payload schema
 * checked) whose handler does one no-op SQL round trip (SELECT 1) and, with --forward, adds
 * the matching orders job, as the processor does. Nothing else: no lock, no decision.
 *   node bench/dist/bare-worker.js --queue signals|orders [--forward] --prefix P --redis URL --db URL [--concurrency 8]
 */
const { values } = parseArgs({
  options: {
    queue: { type: 'string' },
    forward: { type: 'boolean', default: false },
    prefix: { type: 'string' },
    redis: { type: 'string' },
    db: { type: 'string' },
    concurrency: { type: 'string', default: '8' },
  },
});
if (!values.prefix || !values.redis || !values.db || (values.queue !== 'signals' && values.queue !== 'orders')) {
  process.stderr.write(
    'usage: bare-worker --queue signals|orders [--forward] --prefix P --redis URL --db URL [--concurrency N]\n',
  );
  process.exit(2);
}
const prefix = values.prefix;
const concurrency = Number(values.concurrency);
const pool = new Pool({ connectionString: values.db, max: 10 });
const workerConn = createRedis(values.redis, 'worker', 'bench-bare-worker');
const producerConn = createRedis(values.redis, 'producer', 'bench-bare-forward');
const orders = values.forward ? new Producer<OrderJob>(JOBS.orders, { connection: producerConn, prefix }) : undefined;

const worker: Worker<SignalJob> | Worker<OrderJob> =
  values.queue === 'signals'
    ? createConsumer<SignalJob>(
        JOBS.signals,
        async (data) => {
          await pool.query('SELECT 1');
          await orders?.add({ orderId: data.signalId, accountId: data.accountId, signalId: data.signalId });
        },
        { connection: workerConn, prefix },
        { concurrency },
      )
    : createConsumer<OrderJob>(
        JOBS.orders,
        async () => {
          await pool.query('SELECT 1');
        },
        { connection: workerConn, prefix },
        { concurrency },
      );
worker.on('error', (err) => process.stderr.write(`bare-worker: ${err.message}\n`));

process.on('SIGTERM', () => {
  void (async () => {
    await worker.close();
    await orders?.close();
    workerConn.disconnect();
    producerConn.disconnect();
    await pool.end();
    process.exit(0);
  })();
});
