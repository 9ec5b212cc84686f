-- Signals in TradingView's words: `buy` and `sell` with a sentiment, and `setPosition` (a target
-- position), are stored as sent; `applied_action` is what the processor applied one as, on the
-- position held when it was decided (openLong … reverseToShort; NULL until then, or when it was
-- refused before any action was chosen, e.g. ALREADY_AT_TARGET).
-- Adding enum values inside the migration's transaction is fine (Postgres >= 12); nothing here uses them.
ALTER TYPE "SignalAction" ADD VALUE 'buy';
ALTER TYPE "SignalAction" ADD VALUE 'sell';
ALTER TYPE "SignalAction" ADD VALUE 'setPosition';

ALTER TABLE "signals" ADD COLUMN "applied_action" "SignalAction";
