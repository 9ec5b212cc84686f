import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { JOBS } from '@utm/contracts';
import { testRedisUrl } from '@utm/testkit';
import { createRedis } from '../src';

/**
 * A describe block's own queue prefix and its producer and worker connections to the test
 * Redis; after the block, its signals queue is obliterated and the connections closed.
 */
export function signalsQueueForBlock(label: string) {
  const prefix = `test-${label}-${randomUUID()}`;
  const producerConn = createRedis(testRedisUrl(), 'producer');
  const workerConn = createRedis(testRedisUrl(), 'worker');
  afterAll(async () => {
    const q = new Queue(JOBS.signals.queue, { connection: producerConn, prefix });
    await q.obliterate({ force: true });
    await q.close();
    producerConn.disconnect();
    workerConn.disconnect();
  });
  return { prefix, producerConn, workerConn };
}
