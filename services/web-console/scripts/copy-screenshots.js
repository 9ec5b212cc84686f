#!/usr/bin/env node
// Copies the browser tests' screenshots (.artifacts/screenshots, written by `npx jest test/browser`)
// to docs/screenshots/, which the README shows. Run after the browser tests: npm run screenshots.
const { copyFileSync, existsSync, mkdirSync } = require('node:fs');
const path = require('node:path');

const from = path.join(__dirname, '..', '.artifacts', 'screenshots');
const to = path.join(__dirname, '..', '..', '..', 'docs', 'screenshots');
const PAGES = [
  'sign-in',
  'signals',
  'signal-detail',
  'signal-rejected',
  'accounts',
  'account',
  'signals-375',
  'account-375',
  'tradingview',
  'signals-tradingview',
];

const missing = PAGES.filter((p) => !existsSync(path.join(from, `${p}.png`)));
if (missing.length) {
  process.stderr.write(
    `missing in ${from}: ${missing.join(', ')} (run the browser tests first: npx jest test/browser)\n`,
  );
  process.exit(1);
}
mkdirSync(to, { recursive: true });
for (const p of PAGES) copyFileSync(path.join(from, `${p}.png`), path.join(to, `${p}.png`));
process.stdout.write(`copied ${PAGES.length} screenshots to ${path.relative(process.cwd(), to) || to}\n`);
