export {
  assertQueuePrefixFits,
  clusterOptions,
  clusterSeeds,
  createRedis,
  isCluster,
  redisOptions,
  waitForRedis,
  type ConnectOverrides,
  type RedisConnection,
  type RedisRole,
} from './redis';
export {
  Producer,
  createConsumer,
  assertPayload,
  DEFAULT_JOB_OPTIONS,
  type ProducerOptions,
  type QueueConnection,
  type JobHandler,
} from './jobs';
export {
  Batcher,
  createBatchConsumer,
  runSplittingOnFailure,
  type BatcherOptions,
  type BatchRun,
  type BatchConsumerOptions,
} from './batcher';
export { OutboxSweeper, type SweepFetch, type OutboxSweeperOptions, type SweeperLogger } from './sweeper';
export {
  assertNoEviction,
  readEvictionPolicy,
  REQUIRED_EVICTION_POLICY,
  type EvictionCheckOptions,
} from './eviction-policy';
export { QueueStats, COUNTED_STATES, type CountedState, type QueueSnapshot } from './queue-stats';
export { Queue, Worker, UnrecoverableError, DelayedError, type Job } from 'bullmq';
