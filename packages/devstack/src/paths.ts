import path from 'node:path';

/** The repository root, from packages/devstack/src or packages/devstack/dist alike. */
export const REPO_ROOT = path.resolve(__dirname, '../../..');

/** Where the dev stack keeps its state (gitignored). */
export function dataDirOf(root: string): string {
  return path.join(root, '.data');
}

export const JEST_RESULTS_DIR = '.jest-results';
