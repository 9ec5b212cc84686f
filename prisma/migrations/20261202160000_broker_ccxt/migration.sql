-- Accounts that trade on a crypto exchange through the ccxt library (the exchange is named
-- by accounts.exchange, added next).
ALTER TYPE "Broker" ADD VALUE 'ccxt';
