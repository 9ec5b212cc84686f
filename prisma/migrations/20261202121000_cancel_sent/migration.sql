-- An order's cancel request has reached its broker (answered) and the cancel is not final yet:
-- the account's executor does not send it again, and orders waiting for the cancel (a close
-- waiting for its exits' shares) keep waiting until the broker reports the order ended.
-- Cleared when the broker says the cancel did not take (Alpaca: order_cancel_rejected).
ALTER TABLE "orders" ADD COLUMN "cancel_sent_at" TIMESTAMPTZ(3);
