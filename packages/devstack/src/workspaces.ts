import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

interface Manifest {
  name?: string;
  workspaces?: string[];
  scripts?: Record<string, string>;
}

function readManifest(dir: string): Manifest | undefined {
  const file = path.join(dir, 'package.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Manifest) : undefined;
}

/** Workspace directories, for the `dir/*` and plain-directory patterns this repository uses. */
export function workspaceDirs(root: string): string[] {
  const dirs: string[] = [];
  for (const pattern of readManifest(root)?.workspaces ?? []) {
    if (pattern.endsWith('/*')) {
      const parent = path.join(root, pattern.slice(0, -2));
      if (!existsSync(parent)) continue;
      for (const e of readdirSync(parent, { withFileTypes: true })) {
        if (e.isDirectory() && existsSync(path.join(parent, e.name, 'package.json')))
          dirs.push(path.join(parent, e.name));
      }
    } else if (existsSync(path.join(root, pattern, 'package.json'))) {
      dirs.push(path.join(root, pattern));
    }
  }
  return dirs.sort();
}

/**
 * The result files the workspaces' `test` scripts promise (`--outputFile=…`), as
 * file names inside `resultsDir`, each with its workspace.
 */
export function expectedResultFiles(root: string, resultsDir: string): { workspace: string; file: string }[] {
  const expected: { workspace: string; file: string }[] = [];
  for (const dir of workspaceDirs(root)) {
    const manifest = readManifest(dir);
    const match = /--outputFile[= ](\S+)/.exec(manifest?.scripts?.test ?? '');
    if (!match?.[1]) continue;
    const file = path.resolve(dir, match[1]);
    if (path.dirname(file) !== path.resolve(resultsDir)) continue;
    expected.push({ workspace: manifest?.name ?? path.basename(dir), file: path.basename(file) });
  }
  return expected;
}

/** Workspaces whose promised result file is not among `present`. */
export function missingResults(root: string, resultsDir: string, present: string[]): string[] {
  const have = new Set(present);
  return expectedResultFiles(root, resultsDir)
    .filter((e) => !have.has(e.file))
    .map((e) => e.workspace);
}
