import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

/**
 * The repository is all a user has: its README, docs/contract.md and docs/openapi.json say what an
 * integrator needs. Nothing in it (docs, code, comments, scripts, CI) may send a reader to a file
 * outside it, such as a contract kept beside the checkout.
 */
const REPO = path.resolve(__dirname, '..', '..', '..');
const SKIP_DIRS = new Set([
  'node_modules',
  'dist',
  '.git',
  '.data',
  '.turbo',
  '.jest-results',
  '.artifacts',
  'coverage',
]);
const SKIP_FILES = new Set([path.join(REPO, 'package-lock.json'), __filename]);
const BINARY = /\.(png|jpe?g|gif|ico|woff2?|tgz|gz)$/i;
// Built from parts so that this file does not match itself.
const OUTSIDE = new RegExp(['\\.\\./', 'shared\\b', '|\\bshared/(', 'SPEC|ENVIRONMENT)', '|\\b', 'SPEC\\b'].join(''));

function* files(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIP_DIRS.has(entry.name) && !p.endsWith(path.join('src', 'generated'))) yield* files(p);
    } else if (entry.isFile() && !BINARY.test(entry.name) && !SKIP_FILES.has(p) && statSync(p).size < 2_000_000) {
      yield p;
    }
  }
}

it('no file of the repository points outside it for its contract or environment', () => {
  const found: string[] = [];
  for (const file of files(REPO)) {
    readFileSync(file, 'utf8')
      .split('\n')
      .forEach((line, i) => {
        if (OUTSIDE.test(line)) found.push(`${path.relative(REPO, file)}:${i + 1}: ${line.trim()}`);
      });
  }
  expect(found).toEqual([]);
});

it('README links the contract page and the OpenAPI document beside it', () => {
  const readme = readFileSync(path.join(REPO, 'README.md'), 'utf8');
  expect(readme).toContain('(docs/contract.md)');
  expect(readme).toContain('(docs/openapi.json)');
  expect(statSync(path.join(REPO, 'docs', 'contract.md')).isFile()).toBe(true);
});
