-- The ccxt exchange id of a ccxt account ("binance"); null for the other brokers. Not a secret:
-- the API key and secret stay in broker_credentials, encrypted.
ALTER TABLE "accounts" ADD COLUMN "exchange" TEXT;
