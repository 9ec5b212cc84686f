-- What a venue takes for one instrument, as the venue's own API says (Alpaca's assets endpoint;
-- a ccxt exchange's markets): whether it trades, shorts and takes fractions, its quantity step
-- (lot size), minimum quantity, price tick and minimum notional. NULL: the venue's default rule
-- (Alpaca equities: whole shares or fractions per `fractionable`; ticks of $0.01 at $1 and above,
-- $0.0001 below). Written by the executor when it asks the venue, read by the processor's sizing.
-- Keyed by venue ("alpaca", "ccxt:binance", ...) and the symbol as the platform writes it.
CREATE TABLE "instrument_rules" (
    "venue" TEXT NOT NULL,
    "symbol" TEXT NOT NULL,
    "asset_class" TEXT NOT NULL,
    "tradable" BOOLEAN NOT NULL DEFAULT true,
    "shortable" BOOLEAN NOT NULL DEFAULT false,
    "fractionable" BOOLEAN NOT NULL DEFAULT false,
    "quantity_step" DECIMAL(30,10),
    "min_quantity" DECIMAL(30,10),
    "tick_size" DECIMAL(30,10),
    "min_notional" DECIMAL(30,10),
    "fetched_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "instrument_rules_pkey" PRIMARY KEY ("venue","symbol")
);
