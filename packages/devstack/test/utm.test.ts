import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cliEnvironment } from '../src/utm';
import { writeStackFile } from '../src/stack-file';

describe('npm run utm finds the stores', () => {
  const saved = { ...process.env };
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'utm-cli-'));
    mkdirSync(path.join(root, '.data'));
    delete process.env.DATABASE_URL;
    delete process.env.REDIS_URL;
    delete process.env.REDIS_CLUSTER_NODES;
    delete process.env.UTM_ENCRYPTION_KEY;
  });
  afterEach(() => {
    process.env = { ...saved };
  });

  it('uses DATABASE_URL and REDIS_URL when set', async () => {
    process.env.DATABASE_URL = 'postgresql://u@h:1/db';
    process.env.REDIS_URL = 'redis://h:2';
    expect(await cliEnvironment(root)).toMatchObject({
      DATABASE_URL: 'postgresql://u@h:1/db',
      REDIS_URL: 'redis://h:2',
    });
  });

  it('else the stores of the running npm start, with the local encryption key', async () => {
    writeStackFile(path.join(root, '.data'), {
      databaseUrl: 'postgresql://postgres@127.0.0.1:54329/utm',
      redisUrl: 'redis://127.0.0.1:63790',
      gatewayUrl: undefined,
      owner: process.pid,
    });
    writeFileSync(path.join(root, '.data', 'encryption.key'), `${'ab'.repeat(32)}\n`);
    expect(await cliEnvironment(root)).toMatchObject({
      DATABASE_URL: 'postgresql://postgres@127.0.0.1:54329/utm',
      REDIS_URL: 'redis://127.0.0.1:63790',
      UTM_ENCRYPTION_KEY: 'ab'.repeat(32),
    });
  });

  it("the running npm start's Redis Cluster goes with its REDIS_URL; a stray REDIS_CLUSTER_NODES does not go to another Redis", async () => {
    const nodes = '127.0.0.1:7001,127.0.0.1:7002';
    writeStackFile(path.join(root, '.data'), {
      databaseUrl: 'postgresql://postgres@127.0.0.1:54329/utm',
      redisUrl: 'redis://127.0.0.1:7000',
      redisClusterNodes: nodes,
      gatewayUrl: undefined,
      owner: process.pid,
    });
    expect(await cliEnvironment(root)).toMatchObject({
      REDIS_URL: 'redis://127.0.0.1:7000',
      REDIS_CLUSTER_NODES: nodes,
    });
    writeStackFile(path.join(root, '.data'), {
      databaseUrl: 'postgresql://postgres@127.0.0.1:54329/utm',
      redisUrl: 'redis://127.0.0.1:63790',
      gatewayUrl: undefined,
      owner: process.pid,
    });
    process.env.REDIS_CLUSTER_NODES = nodes;
    const env = await cliEnvironment(root);
    expect(typeof env !== 'string' && env.REDIS_CLUSTER_NODES).toBeFalsy();
  });

  it('ignores the record of an npm start that is gone, and falls back to the local services', async () => {
    writeStackFile(path.join(root, '.data'), {
      databaseUrl: 'postgresql://x@127.0.0.1:9/utm',
      redisUrl: 'redis://127.0.0.1:9',
      gatewayUrl: undefined,
      owner: 2 ** 22 + 12345,
    });
    const env = await cliEnvironment(root);
    // This machine runs Postgres on 5432 (ENVIRONMENT.md); a fresh machine gets the hint instead.
    expect(typeof env === 'string' ? env : env.DATABASE_URL).toMatch(/127\.0\.0\.1:5432\/utm|run `npm start` first/);
  });
});
