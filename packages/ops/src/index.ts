export {
  configOrExit,
  handleShutdown,
  exitOnStartFailure,
  runWorkerService,
  type ShutdownOptions,
  type LifecycleLogger,
  type WorkerServiceOptions,
} from './lifecycle';
export { readiness, startOpsServer, type OpsServerOptions, type ReadinessCheck } from './server';
export {
  Sampler,
  registerQueueGauges,
  registerOrderStatusGauge,
  type SamplerOptions,
  type QueueSnapshotLike,
} from './sampled-gauges';
