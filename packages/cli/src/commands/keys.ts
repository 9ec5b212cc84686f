import type { Command } from 'commander';
import { authInvalidationChannel, isUuid, MODES, type ModeValue } from '@utm/contracts';
import type { Tx } from '@utm/db';
import { API_KEY_PATTERN, generateApiKey, hashApiKey } from '@utm/security';
import { CliError, invalid } from '../errors';
import { act, type Ctx } from '../context';
import { closeRedis, connectRedis } from '../redis';
import { intFlag, oneOfFlag, uuidFlag } from '../validate';
import { requireUser } from './users';

export const DEFAULT_RATE_LIMIT = 100;

/** A new key for the user: only its sha256 and a short prefix are stored; the key is returned once. */
export async function createKey(
  tx: Tx,
  userId: string,
  mode: ModeValue,
  rateLimit: number,
): Promise<{ keyId: string; apiKey: string }> {
  const k = generateApiKey(mode);
  const row = await tx.apiKey.create({ data: { userId, keyHash: k.keyHash, prefix: k.prefix, mode, rateLimit } });
  return { keyId: row.id, apiKey: k.apiKey };
}

/** `--key` is the key's id or the full key (hashed to find it; never echoed). */
function keyLookup(value: string): { id: string } | { keyHash: string } {
  const v = value.trim();
  if (isUuid(v)) return { id: v.toLowerCase() };
  if (API_KEY_PATTERN.test(v)) return { keyHash: hashApiKey(v) };
  throw invalid('--key', 'must be a key id (UUID) or a full API key (utm_paper_… or utm_live_…)');
}

/** Tells every gateway to drop the key from its cache now; without Redis they do within their TTL. */
async function announceRevocation(ctx: Ctx, keyHash: string): Promise<void> {
  const { redisUrl, redisClusterNodes, queuePrefix } = ctx.settings();
  const fallback = 'the revocation stands; gateways drop cached keys within 5 s';
  if (!redisUrl) {
    ctx.output.note(`REDIS_URL is not set: not announced to the gateways; ${fallback}`);
    return;
  }
  try {
    const redis = await connectRedis({ redisUrl, redisClusterNodes });
    try {
      await redis.publish(authInvalidationChannel(queuePrefix), keyHash);
    } finally {
      await closeRedis(redis);
    }
  } catch (err) {
    ctx.output.note(`could not announce the revocation on Redis (${(err as Error).message}); ${fallback}`);
  }
}

export function registerKeyCommands(program: Command, ctx: Ctx): void {
  const key = program.command('key').description('manage API keys');
  key
    .command('create')
    .description('create an API key → {"keyId","apiKey"} (the key is shown once; only its hash is stored)')
    .requiredOption('--user <userId>', 'owner')
    .option('--mode <mode>', 'PAPER or LIVE', 'PAPER')
    .option('--rate-limit <n>', 'requests per rolling minute', String(DEFAULT_RATE_LIMIT))
    .action(
      act(ctx, async (opts: { user: string; mode: string; rateLimit: string }) => {
        const userId = uuidFlag('--user', opts.user);
        const mode = oneOfFlag('--mode', opts.mode, MODES);
        const rateLimit = intFlag('--rate-limit', opts.rateLimit, 1, 1_000_000);
        const prisma = ctx.prisma();
        await requireUser(prisma, userId);
        const { keyId, apiKey } = await createKey(prisma, userId, mode, rateLimit);
        ctx.output.note('Store the API key now: it is shown once and cannot be recovered.');
        return { json: { keyId, apiKey }, human: `key ${keyId} created (${mode}, ${rateLimit}/min): ${apiKey}` };
      }),
    );
  key
    .command('revoke')
    .description('revoke an API key → {"keyId","revoked":true}')
    .requiredOption('--key <key>', 'the key id or the full API key')
    .action(
      act(ctx, async (opts: { key: string }) => {
        const prisma = ctx.prisma();
        const row = await prisma.apiKey.findUnique({
          where: keyLookup(opts.key),
          select: { id: true, keyHash: true, prefix: true },
        });
        if (!row) throw new CliError('NOT_FOUND', 'API key not found');
        // The first revocation time stands when revoked twice.
        await prisma.apiKey.updateMany({ where: { id: row.id, revokedAt: null }, data: { revokedAt: new Date() } });
        const { revokedAt } = await prisma.apiKey.findUniqueOrThrow({
          where: { id: row.id },
          select: { revokedAt: true },
        });
        await announceRevocation(ctx, row.keyHash);
        return {
          json: { keyId: row.id, revoked: true },
          human: `key ${row.id} (${row.prefix}…) revoked at ${revokedAt?.toISOString() ?? '?'}`,
        };
      }),
    );
}
