-- One home for an account's risk settings (packages/contracts: accountRiskSettingsSchema): one row
-- per account that has any, a column per setting, NULL = not set. The three limits that lived on
-- `accounts` move here with their values; an empty allowed-symbols list was "every symbol", as NULL is now.
CREATE TABLE "account_risk_settings" (
    "account_id" UUID NOT NULL,
    "max_daily_loss" DECIMAL(30,10),
    "auto_resume" BOOLEAN,
    "max_trades_per_day" INTEGER,
    "max_open_positions" INTEGER,
    "trading_windows" JSONB,
    "timezone" TEXT,
    "flatten_at" TEXT,
    "max_signal_age_seconds" INTEGER,
    "max_order_notional" DECIMAL(30,10),
    "max_position_quantity" DECIMAL(30,10),
    "allowed_symbols" TEXT[],
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "account_risk_settings_pkey" PRIMARY KEY ("account_id")
);

ALTER TABLE "account_risk_settings" ADD CONSTRAINT "account_risk_settings_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

INSERT INTO "account_risk_settings" ("account_id", "max_order_notional", "max_position_quantity", "allowed_symbols")
SELECT "id", "max_order_notional", "max_position_quantity", NULLIF("allowed_symbols", ARRAY[]::TEXT[])
FROM "accounts"
WHERE "max_order_notional" IS NOT NULL OR "max_position_quantity" IS NOT NULL OR cardinality("allowed_symbols") > 0;

ALTER TABLE "accounts" DROP COLUMN "max_order_notional",
    DROP COLUMN "max_position_quantity",
    DROP COLUMN "allowed_symbols";
