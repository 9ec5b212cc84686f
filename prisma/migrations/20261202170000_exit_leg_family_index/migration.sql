-- An entry's exit legs (every version of them) are read whenever the entry or one of its legs
-- fills: the paper engine reads them with the resting orders a quote re-evaluates, a broker's
-- fill report reads them in its transaction. Only exit legs have a parent: a partial index
-- keeps entries and closes (most rows) out of it. (Partial: SQL-only, Prisma ignores it.)
CREATE INDEX "orders_exit_legs_idx" ON "orders"("parent_order_id") WHERE "parent_order_id" IS NOT NULL;
