import type { Command } from 'commander';
import { SYMBOL_PATTERN } from '@utm/contracts';
import { invalid } from '../errors';
import { act, type Ctx } from '../context';
import { decimalFlag } from '../validate';

const SYMBOL = new RegExp(SYMBOL_PATTERN);

/** The ingest schema's symbol rule, with its messages. */
export function symbolFlag(value: string): string {
  const v = value.trim();
  if (/[a-z]/.test(v)) throw invalid('--symbol', 'Symbol must be uppercase');
  if (!SYMBOL.test(v))
    throw invalid('--symbol', 'Symbol must be 1-15 characters of A-Z, 0-9, ".", "/", "-", starting with a letter');
  return v;
}

export function registerQuoteCommands(program: Command, ctx: Ctx): void {
  const quote = program.command('quote').description('market prices for the paper broker');
  quote
    .command('set')
    .description('set the latest price of a symbol → {"symbol","price"}')
    .requiredOption('--symbol <symbol>', 'e.g. AAPL, BRK.B, BTC/USD')
    .requiredOption('--price <price>', 'decimal price > 0')
    .action(
      act(ctx, async (opts: { symbol: string; price: string }) => {
        const symbol = symbolFlag(opts.symbol);
        const price = decimalFlag('--price', opts.price, { positive: true });
        const row = await ctx
          .prisma()
          .quote.upsert({ where: { symbol }, create: { symbol, price }, update: { price } });
        const stored = row.price.toFixed();
        return { json: { symbol, price: stored }, human: `quote ${symbol} = ${stored}` };
      }),
    );
}
