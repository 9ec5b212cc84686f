export { createDb, type Db, type DbOptions, type Tx } from './client';
export { withTransaction, type TransactionOptions } from './transaction';
export { writesCoalesced } from './coalesce-writes';
export { migrate, ensureDatabase, readMigrations, MIGRATIONS_DIR, type MigrateResult } from './migrate';
export {
  setTradingState,
  TRADING_STATE_CHANGES,
  type TradingStateChange,
  type TradingStateChangeName,
} from './trading-state';
export { setRiskSettings, type RiskSettingsChange, type RiskSettingsResult } from './risk-settings';
export * from './generated/prisma/client';
export { Decimal } from './decimal';
export {
  loadInstrumentRules,
  saveInstrumentRules,
  toInstrumentRules,
  INSTRUMENT_RULE_COLUMNS,
  type InstrumentRules,
} from './instrument-rules';
