-- AlterTable
ALTER TABLE "orders" ADD COLUMN     "expires_at" TIMESTAMPTZ(3),
ADD COLUMN     "trail_reference" DECIMAL(30,10),
ADD COLUMN     "triggered_at" TIMESTAMPTZ(3);

-- A quote change wakes the executors at once (paper engine: resting orders of the symbol
-- are re-evaluated), whoever wrote it: `utm quote set`, a quote feed, a test.
-- (Functions and triggers cannot be expressed in schema.prisma; Prisma ignores them.)
CREATE OR REPLACE FUNCTION "utm_notify_quote"() RETURNS trigger AS $$
BEGIN
  PERFORM pg_notify('utm_quotes', NEW."symbol");
  RETURN NEW;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER "quotes_notify" AFTER INSERT OR UPDATE OF "price" ON "quotes"
  FOR EACH ROW EXECUTE FUNCTION "utm_notify_quote"();

-- The paper engine's book: resting orders per symbol in time priority.
CREATE INDEX "orders_resting_idx" ON "orders"("symbol", "seq") WHERE "status" IN ('ACCEPTED', 'PARTIALLY_FILLED');
