import type { Command } from 'commander';
import { canTransitionSignal, JOBS, type EventType, type SignalJob } from '@utm/contracts';
import { $Enums, type SignalStatus } from '@utm/db';
import { Producer } from '@utm/queue';
import { CliError } from '../errors';
import { act, type Ctx } from '../context';
import { closeRedis, connectRedis, type RedisConnection } from '../redis';
import { intFlag, oneOfFlag, uuidFlag } from '../validate';
import { signalSummary, signalText, signalView, summaryLine } from '../views';

const STATUSES = Object.values($Enums.SignalStatus);

function signalId(value: string): string {
  return uuidFlag('ID', value);
}

async function openProducer(ctx: Ctx): Promise<{ producer: Producer<SignalJob>; redis: RedisConnection } | string> {
  const { redisUrl, redisClusterNodes, queuePrefix } = ctx.settings();
  if (!redisUrl) return 'REDIS_URL is not set';
  try {
    const redis = await connectRedis({ redisUrl, redisClusterNodes });
    return { producer: new Producer(JOBS.signals, { connection: redis, prefix: queuePrefix }), redis };
  } catch (err) {
    return (err as Error).message;
  }
}

/**
 * FAILED → PENDING (with a RETRY event), then a fresh job. `requeue` replaces the previous
 * job of the same id, which BullMQ keeps in its failed set and would otherwise treat the new
 * add as a duplicate. If Redis cannot be reached, the signal waits PENDING and the gateway's
 * outbox sweeper enqueues it. A retried signal is applied now, against the account as it
 * stands, after any signal accepted since.
 */
async function retry(ctx: Ctx, id: string): Promise<{ enqueued: boolean }> {
  const prisma = ctx.prisma();
  const signal = await prisma.signal.findUnique({ where: { id }, select: { status: true, accountId: true } });
  if (!signal) throw new CliError('SIGNAL_NOT_FOUND', `signal ${id} not found`);
  if (!canTransitionSignal(signal.status, 'PENDING') || signal.status === 'PENDING') {
    throw new CliError('VALIDATION_ERROR', `signal ${id} is ${signal.status}: only FAILED signals can be retried`);
  }
  await prisma.$transaction(async (tx) => {
    const { count } = await tx.signal.updateMany({
      where: { id, status: 'FAILED' },
      data: { status: 'PENDING', errorCode: null, errorMessage: null },
    });
    if (!count)
      throw new CliError('VALIDATION_ERROR', `signal ${id} changed meanwhile: only FAILED signals can be retried`);
    await tx.signalEvent.create({
      data: { signalId: id, type: 'RETRY' satisfies EventType, message: 're-driven by operator' },
    });
  });
  const later = "the signal stays PENDING and the gateway's outbox sweeper will enqueue it";
  const queue = await openProducer(ctx);
  if (typeof queue === 'string') {
    ctx.output.note(`not enqueued (${queue}): ${later}`);
    return { enqueued: false };
  }
  try {
    await queue.producer.requeue([{ signalId: id, accountId: signal.accountId }]);
    return { enqueued: true };
  } catch (err) {
    ctx.output.note(`could not enqueue (${(err as Error).message}): ${later}`);
    return { enqueued: false };
  } finally {
    await queue.producer.close().catch(() => undefined);
    await closeRedis(queue.redis);
  }
}

export function registerSignalCommands(program: Command, ctx: Ctx): void {
  const signals = program.command('signal').alias('signals').description('inspect and re-drive signals');
  signals
    .command('list')
    .description('signals, newest first → {"signals":[…]}')
    .option('--account <accountId>', 'only this account')
    .option('--status <status>', `only this status (${STATUSES.join(', ')})`)
    .option('--limit <n>', 'at most this many (1-1000)', '50')
    .action(
      act(ctx, async (opts: { account?: string; status?: string; limit: string }) => {
        const accountId = opts.account === undefined ? undefined : uuidFlag('--account', opts.account);
        const status: SignalStatus | undefined =
          opts.status === undefined ? undefined : oneOfFlag('--status', opts.status, STATUSES);
        const take = intFlag('--limit', opts.limit, 1, 1000);
        const rows = await ctx
          .prisma()
          .signal.findMany({ where: { accountId, status }, orderBy: { seq: 'desc' }, take });
        const list = rows.map(signalSummary);
        return { json: { signals: list }, human: list.length ? list.map(summaryLine).join('\n') : 'no signals' };
      }),
    );
  signals
    .command('show')
    .argument('<id>', 'signal id')
    .description('a signal with its orders and events')
    .action(
      act(ctx, async (idArg: string) => {
        const id = signalId(idArg);
        const row = await ctx.prisma().signal.findUnique({
          where: { id },
          include: { orders: { orderBy: { seq: 'asc' } }, events: { orderBy: { id: 'asc' } } },
        });
        if (!row) throw new CliError('SIGNAL_NOT_FOUND', `signal ${id} not found`);
        const view = signalView(row);
        return { json: view, human: signalText(view) };
      }),
    );
  signals
    .command('retry')
    .argument('<id>', 'signal id')
    .description('re-drive a FAILED signal → {"signalId","status":"PENDING","enqueued"}')
    .action(
      act(ctx, async (idArg: string) => {
        const id = signalId(idArg);
        const { enqueued } = await retry(ctx, id);
        return {
          json: { signalId: id, status: 'PENDING', enqueued },
          human: `signal ${id} re-driven: PENDING, ${enqueued ? 'job enqueued' : 'left to the outbox sweeper'}`,
        };
      }),
    );
}
