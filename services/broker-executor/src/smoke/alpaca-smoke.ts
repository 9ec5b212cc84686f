/**
 * `npm run alpaca:smoke`: runs the probes (probes.ts) against your own Alpaca paper account and
 * prints what Alpaca answered, beside what the platform expects. Keys from the environment:
 * APCA_API_KEY_ID, APCA_API_SECRET_KEY (APCA_API_BASE_URL: default the paper endpoint; the live
 * one is refused unless ALPACA_SMOKE_ALLOW_LIVE=true). Exit code 1 when an answer is not the
 * one expected (a rule of Alpaca's the platform relies on has changed), 2 when it cannot run.
 * CI runs it against the Alpaca contract server (test/alpaca-smoke.test.ts).
 */
import { randomUUID } from 'node:crypto';
import { ConfigError, loadAlpacaSmokeConfig } from '@utm/config';
import { AlpacaBroker } from '../venues/alpaca/alpaca-broker';
import { RequestBudget } from '../venues/alpaca/request-budget';
import { PROBES, type Step } from './probes';

/** Two lines a step: what was sent; what Alpaca answered, what the platform reads, what was expected. */
function report(steps: Step[]): string {
  return steps
    .map((s) =>
      [
        `${(s.ok ? 'ok' : 'DIFFERS').padEnd(8)}${s.step}: ${s.sent}`,
        `${''.padEnd(8)}Alpaca: ${s.answer} → ${s.reads} (expected ${s.expected})`,
      ].join('\n'),
    )
    .join('\n');
}

async function main(): Promise<number> {
  let cfg;
  try {
    cfg = loadAlpacaSmokeConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`alpaca:smoke: ${err.message}`);
      return 2;
    }
    throw err;
  }
  const broker = new AlpacaBroker({
    baseUrl: cfg.baseUrl,
    credentials: { keyId: cfg.keyId, secretKey: cfg.secretKey },
    timeoutMs: cfg.timeoutMs,
    budget: new RequestBudget(),
  });
  console.log(`Alpaca smoke run against ${new URL(cfg.baseUrl).host} (tiny orders; far-away ones are cancelled)`);
  const ctx = {
    client: broker.client,
    broker,
    settleMs: cfg.settleMs,
    sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, ms)),
    id: () => `smoke-${randomUUID()}`.slice(0, 48),
  };
  const steps: Step[] = [];
  for (const probe of PROBES) steps.push(...(await probe(ctx)));
  console.log(report(steps));
  const differs = steps.filter((s) => !s.ok).length;
  console.log(differs ? `${differs} answer(s) differ from what the platform expects` : 'every answer as expected');
  return differs ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    // The keys are never part of a message (the client redacts them).
    console.error(`alpaca:smoke could not run: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(2);
  },
);
