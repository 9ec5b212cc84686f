export { CcxtBroker, ccxtCapabilities, type CcxtBrokerOptions } from './ccxt-broker';
export { CcxtPoller, type CcxtPollerOptions } from './poller';
export {
  createExchange,
  exchangeInfo,
  instrumentOfMarket,
  type CcxtAccountConfig,
  type ExchangeOptions,
} from './exchange';
export { classify, exchangeAnswer, type Failure } from './errors';
export { fromCcxtOrder, toCcxtOrder, ccxtTimeInForce } from './mapping';
export { ccxtConnection, type CcxtConnection, type CcxtConnectionOptions } from './connection';
