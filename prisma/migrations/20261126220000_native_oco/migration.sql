-- Native one-cancels-other exit pairs at a broker (Alpaca "oco"): the take-profit order is
-- sent with the stop loss as its leg. The stop-loss row is then "carried by" the take-profit
-- row: it is never sent on its own, and the broker's updates for it arrive under the
-- broker's id (its client order id is the broker's, not ours), hence the index.
ALTER TABLE "orders" ADD COLUMN "carried_by" UUID;
CREATE INDEX "orders_carried_by_idx" ON "orders"("carried_by");
CREATE INDEX "orders_broker_order_id_idx" ON "orders"("broker_order_id");
