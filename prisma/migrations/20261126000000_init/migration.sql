-- CreateEnum
CREATE TYPE "Mode" AS ENUM ('PAPER', 'LIVE');

-- CreateEnum
CREATE TYPE "Broker" AS ENUM ('paper', 'alpaca');

-- CreateEnum
CREATE TYPE "TradingState" AS ENUM ('ACTIVE', 'REDUCE_ONLY', 'HALTED');

-- CreateEnum
CREATE TYPE "SignalAction" AS ENUM ('openLong', 'openShort', 'closeLong', 'closeShort', 'reverseToLong', 'reverseToShort');

-- CreateEnum
CREATE TYPE "SignalStatus" AS ENUM ('PENDING', 'PROCESSING', 'SUBMITTED', 'PARTIALLY_FILLED', 'FILLED', 'REJECTED', 'FAILED', 'CANCELLED', 'EXPIRED');

-- CreateEnum
CREATE TYPE "OrderRole" AS ENUM ('ENTRY', 'CLOSE', 'STOP_LOSS', 'TAKE_PROFIT', 'TRAILING_STOP');

-- CreateEnum
CREATE TYPE "OrderSide" AS ENUM ('BUY', 'SELL');

-- CreateEnum
CREATE TYPE "OrderType" AS ENUM ('MARKET', 'LIMIT', 'STOP', 'STOP_LIMIT', 'TRAILING_STOP');

-- CreateEnum
CREATE TYPE "TimeInForce" AS ENUM ('DAY', 'GTC', 'IOC', 'FOK');

-- CreateEnum
CREATE TYPE "OrderStatus" AS ENUM ('NEW', 'SUBMITTING', 'ACCEPTED', 'PARTIALLY_FILLED', 'FILLED', 'CANCELLED', 'REJECTED', 'EXPIRED');

-- CreateTable
CREATE TABLE "users" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "name" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "users_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "api_keys" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "user_id" UUID NOT NULL,
    "key_hash" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "mode" "Mode" NOT NULL,
    "rate_limit" INTEGER NOT NULL DEFAULT 100,
    "revoked_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "api_keys_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "accounts" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "user_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "mode" "Mode" NOT NULL,
    "broker" "Broker" NOT NULL,
    "cash" DECIMAL(30,10) NOT NULL,
    "trading_state" "TradingState" NOT NULL DEFAULT 'ACTIVE',
    "allow_fractional" BOOLEAN NOT NULL DEFAULT false,
    "max_order_notional" DECIMAL(30,10),
    "max_position_quantity" DECIMAL(30,10),
    "allowed_symbols" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "broker_credentials" BYTEA,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "accounts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "positions" (
    "account_id" UUID NOT NULL,
    "symbol" TEXT NOT NULL,
    "quantity" DECIMAL(30,10) NOT NULL,
    "avg_price" DECIMAL(30,10) NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "positions_pkey" PRIMARY KEY ("account_id","symbol")
);

-- CreateTable
CREATE TABLE "quotes" (
    "symbol" TEXT NOT NULL,
    "price" DECIMAL(30,10) NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "quotes_pkey" PRIMARY KEY ("symbol")
);

-- CreateTable
CREATE TABLE "signals" (
    "id" UUID NOT NULL,
    "seq" BIGSERIAL NOT NULL,
    "user_id" UUID NOT NULL,
    "account_id" UUID NOT NULL,
    "status" "SignalStatus" NOT NULL DEFAULT 'PENDING',
    "symbol" TEXT NOT NULL,
    "action" "SignalAction" NOT NULL,
    "request" JSONB NOT NULL,
    "idempotency_key" TEXT,
    "request_hash" TEXT,
    "error_code" TEXT,
    "error_message" TEXT,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "signals_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "signal_events" (
    "id" BIGSERIAL NOT NULL,
    "signal_id" UUID NOT NULL,
    "order_id" UUID,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT clock_timestamp(),
    "type" TEXT NOT NULL,
    "message" TEXT NOT NULL,

    CONSTRAINT "signal_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "orders" (
    "id" UUID NOT NULL,
    "seq" BIGSERIAL NOT NULL,
    "signal_id" UUID NOT NULL,
    "account_id" UUID NOT NULL,
    "parent_order_id" UUID,
    "oco_group" UUID,
    "role" "OrderRole" NOT NULL,
    "symbol" TEXT NOT NULL,
    "side" "OrderSide" NOT NULL,
    "type" "OrderType" NOT NULL,
    "quantity" DECIMAL(30,10) NOT NULL,
    "limit_price" DECIMAL(30,10),
    "stop_price" DECIMAL(30,10),
    "trail_percent" DECIMAL(30,10),
    "trail_amount" DECIMAL(30,10),
    "time_in_force" "TimeInForce" NOT NULL,
    "status" "OrderStatus" NOT NULL DEFAULT 'NEW',
    "filled_quantity" DECIMAL(30,10) NOT NULL DEFAULT 0,
    "avg_fill_price" DECIMAL(30,10),
    "exit_rules" JSONB,
    "price_basis" DECIMAL(30,10),
    "cancel_requested_at" TIMESTAMPTZ(3),
    "broker_order_id" TEXT,
    "error_code" TEXT,
    "error_message" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "orders_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "fills" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "order_id" UUID NOT NULL,
    "quantity" DECIMAL(30,10) NOT NULL,
    "price" DECIMAL(30,10) NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "broker_fill_id" TEXT,

    CONSTRAINT "fills_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "api_keys_key_hash_key" ON "api_keys"("key_hash");

-- CreateIndex
CREATE INDEX "api_keys_user_id_idx" ON "api_keys"("user_id");

-- CreateIndex
CREATE INDEX "accounts_user_id_idx" ON "accounts"("user_id");

-- CreateIndex
CREATE UNIQUE INDEX "signals_seq_key" ON "signals"("seq");

-- CreateIndex
CREATE INDEX "signals_account_id_seq_idx" ON "signals"("account_id", "seq");

-- CreateIndex
CREATE INDEX "signals_user_id_seq_idx" ON "signals"("user_id", "seq");

-- CreateIndex
CREATE UNIQUE INDEX "signals_user_id_idempotency_key_key" ON "signals"("user_id", "idempotency_key");

-- CreateIndex
CREATE INDEX "signal_events_signal_id_id_idx" ON "signal_events"("signal_id", "id");

-- CreateIndex
CREATE UNIQUE INDEX "orders_seq_key" ON "orders"("seq");

-- CreateIndex
CREATE INDEX "orders_signal_id_idx" ON "orders"("signal_id");

-- CreateIndex
CREATE INDEX "orders_account_id_seq_idx" ON "orders"("account_id", "seq");

-- CreateIndex
CREATE INDEX "orders_account_id_status_idx" ON "orders"("account_id", "status");

-- CreateIndex
CREATE UNIQUE INDEX "fills_order_id_broker_fill_id_key" ON "fills"("order_id", "broker_fill_id");

-- AddForeignKey
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "accounts" ADD CONSTRAINT "accounts_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "positions" ADD CONSTRAINT "positions_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "signals" ADD CONSTRAINT "signals_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "signals" ADD CONSTRAINT "signals_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "signal_events" ADD CONSTRAINT "signal_events_signal_id_fkey" FOREIGN KEY ("signal_id") REFERENCES "signals"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "orders" ADD CONSTRAINT "orders_signal_id_fkey" FOREIGN KEY ("signal_id") REFERENCES "signals"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "orders" ADD CONSTRAINT "orders_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "orders" ADD CONSTRAINT "orders_parent_order_id_fkey" FOREIGN KEY ("parent_order_id") REFERENCES "orders"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "fills" ADD CONSTRAINT "fills_order_id_fkey" FOREIGN KEY ("order_id") REFERENCES "orders"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- Outbox sweeps: the rows that may still lack their job are those not yet picked up.
-- (Partial indexes cannot be expressed in schema.prisma; Prisma ignores them.)
CREATE INDEX "signals_outbox_idx" ON "signals"("seq") WHERE "status" = 'PENDING';
CREATE INDEX "orders_outbox_idx" ON "orders"("seq") WHERE "status" = 'NEW';
