/**
 * The migration runner behaves like `prisma migrate deploy` (the Prisma
 * CLI cannot fetch its schema engine here, so `prisma migrate` cannot run): two runners at once are serialised by an advisory lock, each
 * migration is recorded once in _prisma_migrations with the sha256 of its file, a file edited
 * after it was applied is refused, a failing migration leaves nothing behind.
 */
import { createHash } from 'node:crypto';
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Client } from 'pg';
import { testDatabaseUrl } from '@utm/testkit';
import { migrate, MIGRATIONS_DIR, readMigrations, type MigrateResult } from '../src';
import { createFreshDatabase, type FreshDatabase } from './support/fresh-database';

let fresh: FreshDatabase;
let catalog: Client;
let firstRuns: MigrateResult[];
const migrationNames = readMigrations().map((m) => m.name);

beforeAll(async () => {
  fresh = await createFreshDatabase(testDatabaseUrl(), 'utm_runner');
  // Two runners at once on an empty database: the advisory lock must serialize them.
  firstRuns = await Promise.all([migrate(fresh.url), migrate(fresh.url)]);
  catalog = await fresh.client();
}, 60_000);

afterAll(async () => {
  await fresh?.drop();
});

describe('the migration runner', () => {
  const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');
  const copyMigrations = () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'utm-migrations-'));
    cpSync(MIGRATIONS_DIR, dir, { recursive: true });
    return dir;
  };
  const history = async () =>
    (
      await catalog.query<{
        migration_name: string;
        checksum: string;
        finished_at: Date | null;
        rolled_back_at: Date | null;
        applied_steps_count: number;
        id: string;
      }>('SELECT * FROM "_prisma_migrations" ORDER BY migration_name')
    ).rows;

  it('applied every migration exactly once when two runners started together', () => {
    expect(migrationNames.length).toBeGreaterThan(0);
    expect(firstRuns.flatMap((r) => r.applied).sort()).toEqual(migrationNames);
    expect(firstRuns.some((r) => r.applied.length === 0 && r.alreadyApplied.length === migrationNames.length)).toBe(
      true,
    );
  });

  it('records each migration in _prisma_migrations with the sha256 of its file, and a second run applies nothing', async () => {
    const rows = await history();
    expect(rows.map((r) => r.migration_name)).toEqual(migrationNames);
    for (const r of rows) {
      expect(r.checksum).toBe(sha256(path.join(MIGRATIONS_DIR, r.migration_name, 'migration.sql')));
      expect(r.finished_at).toBeInstanceOf(Date);
      expect(r.rolled_back_at).toBeNull();
      expect(r.applied_steps_count).toBe(1);
      expect(r.id).toHaveLength(36);
    }
    expect(await migrate(fresh.url)).toEqual({ applied: [], alreadyApplied: migrationNames });
    expect(await history()).toEqual(rows);
  });

  it('refuses a migration file changed after it was applied', async () => {
    const dir = copyMigrations();
    try {
      appendFileSync(path.join(dir, migrationNames[0] as string, 'migration.sql'), '\n-- edited after release\n');
      const before = await history();
      await expect(migrate(fresh.url, dir)).rejects.toThrow(/changed after it was applied \(checksum mismatch\)/);
      expect(await history()).toEqual(before);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rolls back a failing migration completely and records nothing; a good new one is applied and recorded', async () => {
    const dir = copyMigrations();
    try {
      const broken = '29991231000000_broken';
      mkdirSync(path.join(dir, broken));
      writeFileSync(
        path.join(dir, broken, 'migration.sql'),
        'CREATE TABLE "agreement_probe" (id int);\nSELECT no_such_function();\n',
      );
      const before = await history();
      await expect(migrate(fresh.url, dir)).rejects.toThrow(`migration ${broken} failed`);
      expect(await history()).toEqual(before);
      expect((await catalog.query(`SELECT to_regclass('public.agreement_probe') AS t`)).rows[0]).toEqual({ t: null });

      rmSync(path.join(dir, broken), { recursive: true });
      const good = '29991231000001_noop';
      mkdirSync(path.join(dir, good));
      writeFileSync(path.join(dir, good, 'migration.sql'), 'SELECT 1;\n');
      expect(await migrate(fresh.url, dir)).toEqual({ applied: [good], alreadyApplied: migrationNames });
      const added = (await history()).find((r) => r.migration_name === good);
      expect(added?.checksum).toBe(sha256(path.join(dir, good, 'migration.sql')));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
