-- Resizing an exit leg that already works at a broker. The resized leg is a new order row:
-- its id is the broker's client order id, as for every row, so a broker order is still
-- placed at most once per row. It "replaces" the old row, in one of two ways:
--   AMEND:        the broker's replace request (Alpaca: PATCH /v2/orders/{id}) turns the old
--                 broker order into this one;
--   CANCEL_FIRST: the old order is cancelled, and this one is placed only once that cancel
--                 is final (never two live exits at once).
CREATE TYPE "ReplaceMethod" AS ENUM ('AMEND', 'CANCEL_FIRST');

ALTER TABLE "orders" ADD COLUMN "replaces" UUID,
ADD COLUMN "replace_method" "ReplaceMethod";

CREATE INDEX "orders_replaces_idx" ON "orders"("replaces");
