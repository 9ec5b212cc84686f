import { Prisma, type AccountRiskSettings, type PrismaClient } from './generated/prisma/client';

/**
 * A change of an account's risk settings, already validated (accountRiskSettingsSchema in
 * @utm/contracts): a key left out stays as it is, `null` removes the setting.
 */
export interface RiskSettingsChange {
  maxDailyLoss?: number | string | null;
  autoResume?: boolean | null;
  maxTradesPerDay?: number | null;
  maxOpenPositions?: number | null;
  tradingWindows?: { days: string[]; start: string; end: string }[] | null;
  timezone?: string | null;
  flattenAt?: string | null;
  maxSignalAgeSeconds?: number | null;
  maxOrderNotional?: number | string | null;
  maxPositionQuantity?: number | string | null;
  allowedSymbols?: string[] | null;
}

type Data = Prisma.AccountRiskSettingsUncheckedUpdateInput;

function dataOf(change: RiskSettingsChange): Data {
  const data: Data = {};
  const decimal = (v: number | string | null) => (v === null ? null : String(v));
  if (change.maxDailyLoss !== undefined) data.maxDailyLoss = decimal(change.maxDailyLoss);
  if (change.autoResume !== undefined) data.autoResume = change.autoResume;
  if (change.maxTradesPerDay !== undefined) data.maxTradesPerDay = change.maxTradesPerDay;
  if (change.maxOpenPositions !== undefined) data.maxOpenPositions = change.maxOpenPositions;
  if (change.tradingWindows !== undefined)
    data.tradingWindows = change.tradingWindows === null ? Prisma.DbNull : change.tradingWindows;
  if (change.timezone !== undefined) data.timezone = change.timezone;
  if (change.flattenAt !== undefined) data.flattenAt = change.flattenAt;
  if (change.maxSignalAgeSeconds !== undefined) data.maxSignalAgeSeconds = change.maxSignalAgeSeconds;
  if (change.maxOrderNotional !== undefined) data.maxOrderNotional = decimal(change.maxOrderNotional);
  if (change.maxPositionQuantity !== undefined) data.maxPositionQuantity = decimal(change.maxPositionQuantity);
  // A list column is never NULL through Prisma: an empty list is "every symbol", as NULL is.
  if (change.allowedSymbols !== undefined) data.allowedSymbols = change.allowedSymbols ?? [];
  return data;
}

export interface RiskSettingsResult {
  accountId: string;
  /** The account's settings after the change (null: it has never had any). */
  settings: AccountRiskSettings | null;
}

/**
 * Changes an account's risk settings: the one write path behind `utm account risk` (and the
 * HTTP route that will share it). The account's row is locked first, as the processor locks
 * it while it decides the account's signals, so a change lands between two decisions and holds
 * for every signal decided after it commits. `ownerId` limits the change to that user's
 * account; null when there is no such account. An empty change only reads.
 */
export async function setRiskSettings(
  prisma: PrismaClient,
  accountId: string,
  change: RiskSettingsChange,
  ownerId?: string,
): Promise<RiskSettingsResult | null> {
  const data = dataOf(change);
  return prisma.$transaction(async (tx) => {
    const found = await tx.$queryRaw<{ id: string }[]>`
      SELECT id FROM accounts
      WHERE id = ${accountId}::uuid AND (${ownerId ?? null}::uuid IS NULL OR user_id = ${ownerId ?? null}::uuid)
      FOR NO KEY UPDATE`;
    if (!found.length) return null;
    if (!Object.keys(data).length)
      return { accountId, settings: await tx.accountRiskSettings.findUnique({ where: { accountId } }) };
    const settings = await tx.accountRiskSettings.upsert({
      where: { accountId },
      create: { ...(data as Prisma.AccountRiskSettingsUncheckedCreateInput), accountId },
      update: data,
    });
    return { accountId, settings };
  });
}
