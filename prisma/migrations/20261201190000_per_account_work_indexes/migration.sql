-- The processor takes one account's PENDING signals in sequence, and the executor one account's
-- actionable orders (to place, to resolve, to cancel), for every account of a batch. The
-- outbox indexes are by seq across all accounts, so each of those lookups read every account's
-- pending rows: per-account partial indexes keep them proportional to the account's own work.
-- (Partial indexes cannot be expressed in schema.prisma; Prisma ignores them.)
CREATE INDEX "signals_pending_by_account_idx" ON "signals"("account_id", "seq") WHERE "status" = 'PENDING';
CREATE INDEX "orders_actionable_by_account_idx" ON "orders"("account_id", "seq")
  WHERE "status" IN ('NEW', 'SUBMITTING') OR ("cancel_requested_at" IS NOT NULL AND "status" IN ('ACCEPTED', 'PARTIALLY_FILLED'));
