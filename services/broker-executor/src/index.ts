export {
  createBrokerExecutor,
  type BrokerExecutor,
  type BrokerConnection,
  type ExecutorDeps,
} from './worker/create-executor';
export type { Broker, BrokerOrder, BrokerOrderRequest, BrokerCapabilities } from './venues/broker/types';
