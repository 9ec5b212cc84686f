import { Client } from 'pg';
import { testDatabaseUrl } from '@utm/testkit';

/** Holds an account's row lock from another connection, as a slow transaction (another replica's) would. */
export async function holdAccountLock(accountId: string): Promise<{ release(): Promise<void> }> {
  const client = new Client({ connectionString: testDatabaseUrl() });
  await client.connect();
  await client.query('BEGIN');
  await client.query('SELECT id FROM accounts WHERE id = $1 FOR NO KEY UPDATE', [accountId]);
  return {
    async release() {
      await client.query('COMMIT');
      await client.end();
    },
  };
}

/** Polls until `check` holds, or fails after `timeoutMs`. */
export async function until(check: () => Promise<boolean>, timeoutMs = 15000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}
