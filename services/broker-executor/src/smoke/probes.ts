/**
 * The probes of `npm run alpaca:smoke`: a few tiny orders, each showing one of Alpaca's rules
 * the platform depends on (alpacahq/alpaca-docs: content/trading/orders.md, crypto-trading.md,
 * fractional-trading.md, trading-api/_index.md), with what Alpaca answered and what the platform
 * reads it as. Orders far from the market are cancelled; the one crypto position bought (the
 * asset's minimum) is sold again. Each step says what is expected; a different answer is shown
 * as such, so that a change at Alpaca is seen before it costs a signal.
 */
import { Decimal } from '@utm/db';
import { roundOrderPrices, alpacaTick } from '@utm/trading';
import type { AlpacaBroker } from '../venues/alpaca/alpaca-broker';
import { parseAsset } from '../venues/alpaca/assets';
import type { AlpacaClient, HttpMethod } from '../venues/alpaca/client';
import { asRecord } from '../venues/alpaca/json';
import { BrokerError } from '../venues/broker/types';

export interface Step {
  step: string;
  sent: string;
  /** HTTP status, and Alpaca's code and words when it refused. */
  answer: string;
  /** What the platform reads the answer as (a refusal's code), or what it found. */
  reads: string;
  expected: string;
  ok: boolean;
}

export interface ProbeContext {
  client: AlpacaClient;
  broker: AlpacaBroker;
  /** Waits this long at most for a fill or a cancel to be final. */
  settleMs: number;
  sleep: (ms: number) => Promise<void>;
  id: () => string;
}

interface Answer {
  status: number;
  body: Record<string, unknown>;
  code: string;
  headers?: Headers;
}

/** One request, its answer whatever it is: a refusal is an answer here, not an error. */
async function call(ctx: ProbeContext, method: HttpMethod, path: string, body?: unknown): Promise<Answer> {
  try {
    const r = await ctx.client.send(method, path, body === undefined ? {} : { body });
    const rec = r.body && typeof r.body === 'object' ? (r.body as Record<string, unknown>) : {};
    return { status: r.status, body: rec, code: 'ok', headers: r.headers };
  } catch (err) {
    if (!(err instanceof BrokerError)) throw err;
    return {
      status: err.opts.status ?? 0,
      body: { message: err.opts.alpacaMessage ?? err.message },
      code: err.code,
    };
  }
}

const words = (a: Answer): string =>
  a.code === 'ok' ? String(a.status) : `${a.status} "${String(a.body.message ?? '')}"`;

function step(name: string, sent: string, a: Answer, expected: string, ok: boolean, reads = a.code): Step {
  return { step: name, sent, answer: words(a), reads, expected, ok };
}

const order = (o: Record<string, unknown>, ctx: ProbeContext) => ({ client_order_id: ctx.id(), ...o });

/** Polls the order until `done` holds (or settleMs passes); its last status. */
async function until(ctx: ProbeContext, id: string, done: (status: string) => boolean): Promise<string> {
  const deadline = Date.now() + ctx.settleMs;
  for (let wait = 50; ; wait = Math.min(wait * 2, 1000)) {
    const a = await call(ctx, 'GET', `/v2/orders/${id}`);
    const status = String(a.body.status ?? a.code);
    if (done(status) || Date.now() > deadline) return status;
    await ctx.sleep(wait);
  }
}

export async function accountAndAssets(ctx: ProbeContext): Promise<Step[]> {
  const account = await call(ctx, 'GET', '/v2/account');
  const h = account.headers;
  const limits = h ? `limit ${h.get('x-ratelimit-limit')}, remaining ${h.get('x-ratelimit-remaining')}` : 'no headers';
  const steps = [
    step('account', 'GET /v2/account', account, '200, X-RateLimit-* headers', account.code === 'ok', limits),
  ];
  for (const symbol of ['AAPL', 'BTC/USD']) {
    const a = await call(ctx, 'GET', `/v2/assets/${symbol}`);
    let reads = a.code;
    if (a.code === 'ok') {
      const r = parseAsset(a.body, symbol);
      reads = `${r.assetClass}, fractionable ${r.fractionable}, shortable ${r.shortable}, step ${r.quantityStep?.toFixed() ?? '-'}, min ${r.minQuantity?.toFixed() ?? '-'}, tick ${r.tickSize?.toFixed() ?? '-'}`;
    }
    steps.push(step(`asset ${symbol}`, `GET /v2/assets/${symbol}`, a, '200', a.code === 'ok', reads));
  }
  return steps;
}

export async function pricesAndCancels(ctx: ProbeContext): Promise<Step[]> {
  const steps: Step[] = [];
  const subPenny = await call(
    ctx,
    'POST',
    '/v2/orders',
    order({ symbol: 'AAPL', qty: '1', side: 'buy', type: 'limit', limit_price: '1.001', time_in_force: 'day' }, ctx),
  );
  steps.push(
    step(
      'sub-penny limit',
      'buy 1 AAPL limit 1.001 day',
      subPenny,
      '422 PRICE_INCREMENT',
      subPenny.code === 'PRICE_INCREMENT',
    ),
  );
  const { limit } = roundOrderPrices('BUY', { limit: new Decimal('1.0049'), stop: null }, alpacaTick(null));
  const placed = await call(
    ctx,
    'POST',
    '/v2/orders',
    order(
      { symbol: 'AAPL', qty: '1', side: 'buy', type: 'limit', limit_price: limit?.toFixed(), time_in_force: 'day' },
      ctx,
    ),
  );
  steps.push(
    step(
      'on the tick',
      `buy 1 AAPL limit ${limit?.toFixed() ?? ''} day (1.0049 rounded down)`,
      placed,
      '200',
      placed.code === 'ok',
    ),
  );
  if (placed.code === 'ok') {
    const id = String(placed.body.id);
    const del = await call(ctx, 'DELETE', `/v2/orders/${id}`);
    const right = String((await call(ctx, 'GET', `/v2/orders/${id}`)).body.status);
    const final = await until(ctx, id, (st) => st === 'canceled');
    steps.push(
      step(
        'cancel',
        `DELETE the limit, then read it`,
        del,
        '204; pending_cancel or canceled, then canceled',
        del.code === 'ok' && final === 'canceled',
        `right after: ${right}; then ${final}`,
      ),
    );
  }
  return steps;
}

export async function fractions(ctx: ProbeContext): Promise<Step[]> {
  const gtc = await call(
    ctx,
    'POST',
    '/v2/orders',
    order({ symbol: 'AAPL', qty: '0.5', side: 'buy', type: 'limit', limit_price: '1', time_in_force: 'gtc' }, ctx),
  );
  const steps = [
    step(
      'fraction GTC',
      'buy 0.5 AAPL limit 1 gtc',
      gtc,
      '422 ORDER_NOT_SUPPORTED',
      gtc.code === 'ORDER_NOT_SUPPORTED',
    ),
  ];
  const day = await call(
    ctx,
    'POST',
    '/v2/orders',
    order({ symbol: 'AAPL', qty: '0.5', side: 'buy', type: 'limit', limit_price: '1', time_in_force: 'day' }, ctx),
  );
  steps.push(step('fraction DAY', 'buy 0.5 AAPL limit 1 day', day, '200', day.code === 'ok'));
  if (day.code === 'ok') {
    await call(ctx, 'DELETE', `/v2/orders/${String(day.body.id)}`);
    await until(ctx, String(day.body.id), (st) => st === 'canceled');
  }
  return steps;
}

/** Crypto: time in force and types, then a position of the minimum size: its shares held by one order, a second refused, a buy opposite refused, sold back. */
export async function crypto(ctx: ProbeContext): Promise<Step[]> {
  const asset = await ctx.broker.instrument('BTC/USD');
  const min = asset?.minQuantity?.toFixed() ?? '0.0001';
  const tick = asset?.tickSize ?? new Decimal('1');
  const btc = (o: Record<string, unknown>) => order({ symbol: 'BTC/USD', qty: min, ...o }, ctx);
  const steps: Step[] = [];
  const day = await call(ctx, 'POST', '/v2/orders', btc({ side: 'buy', type: 'market', time_in_force: 'day' }));
  steps.push(
    step(
      'crypto DAY',
      `buy ${min} BTC/USD market day`,
      day,
      '422 ORDER_NOT_SUPPORTED',
      day.code === 'ORDER_NOT_SUPPORTED',
    ),
  );
  const stop = await call(
    ctx,
    'POST',
    '/v2/orders',
    btc({ side: 'buy', type: 'stop', stop_price: '1000000', time_in_force: 'gtc' }),
  );
  steps.push(
    step(
      'crypto STOP',
      `buy ${min} BTC/USD stop gtc`,
      stop,
      '422 ORDER_NOT_SUPPORTED',
      stop.code === 'ORDER_NOT_SUPPORTED',
    ),
  );
  const buy = await call(ctx, 'POST', '/v2/orders', btc({ side: 'buy', type: 'market', time_in_force: 'gtc' }));
  steps.push(step('crypto buy', `buy ${min} BTC/USD market gtc`, buy, '200, filled', buy.code === 'ok'));
  if (buy.code !== 'ok') return steps;
  const filled = await until(ctx, String(buy.body.id), (st) => st === 'filled');
  const fill = new Decimal(
    String(
      asRecord((await call(ctx, 'GET', `/v2/orders/${String(buy.body.id)}`)).body, 'order').filled_avg_price ?? '1',
    ),
  );
  const far = fill.times(10).div(tick).floor().times(tick).toFixed();
  const hold = await call(
    ctx,
    'POST',
    '/v2/orders',
    btc({ side: 'sell', type: 'limit', limit_price: far, time_in_force: 'gtc' }),
  );
  steps.push(step('one closing order', `sell ${min} limit ${far} gtc (${filled})`, hold, '200', hold.code === 'ok'));
  const second = await call(
    ctx,
    'POST',
    '/v2/orders',
    btc({ side: 'sell', type: 'limit', limit_price: far, time_in_force: 'gtc' }),
  );
  steps.push(
    step(
      'a second closing order',
      `sell ${min} limit ${far} gtc again`,
      second,
      '403 INSUFFICIENT_QTY',
      second.code === 'INSUFFICIENT_QTY',
    ),
  );
  const opposite = await call(ctx, 'POST', '/v2/orders', btc({ side: 'buy', type: 'market', time_in_force: 'gtc' }));
  steps.push(
    step('opposite a working order', `buy ${min} market gtc`, opposite, 'WASH_TRADE', opposite.code === 'WASH_TRADE'),
  );
  if (hold.code === 'ok') {
    await call(ctx, 'DELETE', `/v2/orders/${String(hold.body.id)}`);
    await until(ctx, String(hold.body.id), (st) => st === 'canceled');
  }
  // What was bought is sold again (twice the minimum if the opposite buy was taken after all).
  const held = opposite.code === 'ok' ? new Decimal(min).times(2).toFixed() : min;
  const back = await call(
    ctx,
    'POST',
    '/v2/orders',
    btc({ qty: held, side: 'sell', type: 'market', time_in_force: 'gtc' }),
  );
  steps.push(
    step('sold back', `sell ${held} market gtc, once the limit's cancel is final`, back, '200', back.code === 'ok'),
  );
  return steps;
}

export const PROBES = [accountAndAssets, pricesAndCancels, fractions, crypto];
