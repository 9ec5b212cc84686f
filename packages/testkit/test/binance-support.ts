import ccxt, { type binance } from 'ccxt';
import type { BinanceSpotServer } from '../src/binance/server';

/** The real ccxt binance client, its REST URLs pointed at the stand-in, spot only. */
export function ccxtFor(server: BinanceSpotServer, over: { secret?: string; apiKey?: string } = {}): binance {
  const ex = new ccxt.binance({
    apiKey: over.apiKey ?? server.apiKey,
    secret: over.secret ?? server.secret,
    urls: { api: server.ccxtUrls() },
    enableRateLimit: false,
    options: {
      defaultType: 'spot',
      fetchMarkets: { types: ['spot'] },
      fetchCurrencies: false,
      fetchMargins: false,
      warnOnFetchOpenOrdersWithoutSymbol: false,
    },
  });
  // ccxt turns some refusals into an error that carries only Binance's msg: keep the body too.
  const handleErrors = ex.handleErrors.bind(ex);
  ex.handleErrors = (...args: Parameters<binance['handleErrors']>) => {
    try {
      return handleErrors(...args);
    } catch (err) {
      if (err instanceof Error) Object.assign(err, { body: args[5] });
      throw err;
    }
  };
  return ex;
}

/** Binance's error body ({code, msg}) carried in the message of the error ccxt threw. */
export async function failure(p: Promise<unknown>): Promise<{ code: number; msg: string }> {
  try {
    await p;
  } catch (err) {
    const body = (err as { body?: unknown }).body;
    const text = typeof body === 'string' ? body : err instanceof Error ? err.message : String(err);
    const json = /\{.*\}/s.exec(text)?.[0];
    if (!json) throw new Error(`no Binance error body in: ${text}`, { cause: err });
    return JSON.parse(json) as { code: number; msg: string };
  }
  throw new Error('expected a refusal, the call succeeded');
}

/** Free and held amounts of each asset, as ccxt's fetchBalance reads GET /api/v3/account. */
export async function wallet(ex: binance): Promise<(asset: string) => { free: number; used: number }> {
  const b = await ex.fetchBalance();
  return (asset) => ({ free: Number(b[asset]?.free ?? 0), used: Number(b[asset]?.used ?? 0) });
}
