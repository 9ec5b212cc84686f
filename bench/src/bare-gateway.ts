import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import { Pool } from 'pg';
import { JOBS, type SignalJob } from '@utm/contracts';
import { createRedis, Producer } from '@utm/queue';

/**
 * The head of the end-to-end baseline chain: node:http, the body parsed as JSON, one no-op
 * SQL round trip (SELECT 1), one job added to the signals queue, 202. No auth, no
 * validation, no rate limit, no idempotency, no row written.
 *   node bench/dist/bare-gateway.js --port N --prefix P --redis URL --db URL
 */
const { values } = parseArgs({
  options: { port: { type: 'string' }, prefix: { type: 'string' }, redis: { type: 'string' }, db: { type: 'string' } },
});
if (!values.port || !values.prefix || !values.redis || !values.db) {
  process.stderr.write('usage: bare-gateway --port N --prefix P --redis URL --db URL\n');
  process.exit(2);
}
const pool = new Pool({ connectionString: values.db, max: 20 });
const conn = createRedis(values.redis, 'producer', 'bench-bare-gateway');
const producer = new Producer<SignalJob>(
  JOBS.signals,
  { connection: conn, prefix: values.prefix },
  { timeoutMs: 1000 },
);

const server = createServer((req, res) => {
  if (req.method !== 'POST') {
    res.writeHead(200);
    res.end('ok');
    return;
  }
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    void (async () => {
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { accountId: string };
        await pool.query('SELECT 1');
        const signalId = randomUUID();
        await producer.add({ signalId, accountId: body.accountId });
        const text = JSON.stringify({ success: true, signalId, status: 'PENDING' });
        res.writeHead(202, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
        res.end(text);
      } catch (err) {
        process.stderr.write(`bare-gateway: ${(err as Error).message}\n`);
        res.writeHead(503, { 'content-length': 0 });
        res.end();
      }
    })();
  });
});
server.listen(Number(values.port), '127.0.0.1');

process.on('SIGTERM', () => {
  server.close();
  void (async () => {
    await producer.close();
    conn.disconnect();
    await pool.end();
    process.exit(0);
  })();
});
