-- Notifications: webhook endpoints (Standard Webhooks, Discord, Slack, Telegram), one delivery row per
-- event and endpoint, one attempt row per try, and what the notifier needs to turn recorded facts into
-- events exactly when their transaction committed.

-- Each fact row carries the id of the transaction that wrote it. A reader that takes only rows whose
-- transaction is older than every transaction still running (pg_snapshot_xmin) sees each committed
-- fact once, in (tx_id, id) order, and never skips one that commits late: ids come from a sequence, so
-- id order is not commit order, but no transaction still running can add a row below that bound.
-- (The column is added without a default first, then given one, so existing rows are not rewritten;
-- they stay NULL and are never read as new facts.)
ALTER TABLE "signal_events" ADD COLUMN "tx_id" BIGINT;
ALTER TABLE "signal_events" ALTER COLUMN "tx_id" SET DEFAULT ((pg_current_xact_id())::text)::bigint;
CREATE INDEX "signal_events_tx_id_id_idx" ON "signal_events"("tx_id", "id");

-- Account-level facts (a halt, and who or what halted it), written in the transaction of the change.
CREATE TABLE "account_events" (
    "id" BIGSERIAL NOT NULL,
    "account_id" UUID NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT clock_timestamp(),
    "type" TEXT NOT NULL,
    "message" TEXT NOT NULL,
    "actor" TEXT NOT NULL,
    "tx_id" BIGINT DEFAULT ((pg_current_xact_id())::text)::bigint,
    CONSTRAINT "account_events_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "account_events_account_id_id_idx" ON "account_events"("account_id", "id");
CREATE INDEX "account_events_tx_id_id_idx" ON "account_events"("tx_id", "id");
ALTER TABLE "account_events" ADD CONSTRAINT "account_events_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

CREATE TYPE "WebhookKind" AS ENUM ('webhook', 'discord', 'slack', 'telegram');
CREATE TYPE "WebhookStatus" AS ENUM ('ACTIVE', 'DISABLED');
CREATE TYPE "DeliveryStatus" AS ENUM ('PENDING', 'DELIVERED', 'FAILED');

CREATE TABLE "webhooks" (
    "id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "kind" "WebhookKind" NOT NULL,
    "events" TEXT[],
    "description" TEXT,
    "display_url" TEXT NOT NULL,
    "credentials" BYTEA NOT NULL,
    "status" "WebhookStatus" NOT NULL DEFAULT 'ACTIVE',
    "failing_since" TIMESTAMPTZ(3),
    "disabled_at" TIMESTAMPTZ(3),
    "disabled_reason" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deleted_at" TIMESTAMPTZ(3),
    CONSTRAINT "webhooks_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "webhooks_user_id_idx" ON "webhooks"("user_id");
ALTER TABLE "webhooks" ADD CONSTRAINT "webhooks_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

CREATE TABLE "webhook_deliveries" (
    "id" UUID NOT NULL,
    "webhook_id" UUID NOT NULL,
    "event_id" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "source" TEXT,
    "fact_id" BIGINT,
    "status" "DeliveryStatus" NOT NULL DEFAULT 'PENDING',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "last_status_code" INTEGER,
    "last_error" TEXT,
    "next_attempt_at" TIMESTAMPTZ(3),
    "retry_until" TIMESTAMPTZ(3) NOT NULL,
    "delivered_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "webhook_deliveries_pkey" PRIMARY KEY ("id")
);
-- One delivery per endpoint and fact, whoever produces it and however often.
CREATE UNIQUE INDEX "webhook_deliveries_webhook_id_source_fact_id_key" ON "webhook_deliveries"("webhook_id", "source", "fact_id");
CREATE INDEX "webhook_deliveries_webhook_id_created_at_idx" ON "webhook_deliveries"("webhook_id", "created_at");
-- The sweeper's scan: deliveries still to attempt (Prisma cannot express a partial index).
CREATE INDEX "webhook_deliveries_due_idx" ON "webhook_deliveries"("next_attempt_at") WHERE "status" = 'PENDING';
ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_webhook_id_fkey" FOREIGN KEY ("webhook_id") REFERENCES "webhooks"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

CREATE TABLE "webhook_attempts" (
    "id" BIGSERIAL NOT NULL,
    "delivery_id" UUID NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "status_code" INTEGER,
    "error" TEXT,
    "duration_ms" INTEGER NOT NULL,
    "response" TEXT,
    CONSTRAINT "webhook_attempts_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "webhook_attempts_delivery_id_id_idx" ON "webhook_attempts"("delivery_id", "id");
ALTER TABLE "webhook_attempts" ADD CONSTRAINT "webhook_attempts_delivery_id_fkey" FOREIGN KEY ("delivery_id") REFERENCES "webhook_deliveries"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- Where the notifier's reading of each fact table has got to: every fact at or below
-- (tx_id, fact_id) has been turned into its deliveries.
CREATE TABLE "notifier_cursors" (
    "source" TEXT NOT NULL,
    "tx_id" BIGINT NOT NULL,
    "fact_id" BIGINT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "notifier_cursors_pkey" PRIMARY KEY ("source")
);
