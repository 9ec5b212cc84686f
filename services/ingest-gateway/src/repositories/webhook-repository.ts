import type { Db } from '@utm/db';
import type { WebhookKindName, WebhookPayload } from '@utm/contracts';
import { insertDeliveries, newEventId, reopenDelivery } from '@utm/webhooks';

const VIEW_FIELDS = {
  id: true,
  kind: true,
  displayUrl: true,
  events: true,
  description: true,
  status: true,
  failingSince: true,
  disabledAt: true,
  disabledReason: true,
  createdAt: true,
} as const;

export interface DeliveryPage {
  /** Newest first: created before this instant (and id), exclusive. */
  before: { at: Date; id: string } | null;
  limit: number;
}

/** The webhooks endpoints' queries and writes; every one is scoped to the calling user. */
export class WebhookRepository {
  constructor(private readonly db: Db) {}

  async create(w: {
    id: string;
    userId: string;
    kind: WebhookKindName;
    events: string[];
    description: string | null;
    displayUrl: string;
    credentials: Buffer;
  }) {
    return this.db.prisma.webhook.create({
      data: { ...w, credentials: new Uint8Array(w.credentials) },
      select: VIEW_FIELDS,
    });
  }

  list(userId: string) {
    return this.db.prisma.webhook.findMany({
      where: { userId, deletedAt: null },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      select: VIEW_FIELDS,
    });
  }

  /** The user's endpoint (not deleted), or null. */
  find(userId: string, id: string) {
    return this.db.prisma.webhook.findFirst({ where: { id, userId, deletedAt: null }, select: VIEW_FIELDS });
  }

  /** Deleted endpoints keep their delivery log; nothing more is sent to them. */
  async remove(userId: string, id: string): Promise<boolean> {
    const { count } = await this.db.prisma.webhook.updateMany({
      where: { id, userId, deletedAt: null },
      data: { deletedAt: new Date() },
    });
    return count === 1;
  }

  /** A webhook.test delivery to this endpoint alone. */
  async createTest(webhookId: string, now: Date): Promise<{ deliveryId: string; eventId: string }> {
    const eventId = newEventId();
    const payload: WebhookPayload = {
      type: 'webhook.test',
      timestamp: now.toISOString(),
      data: { webhookId, message: 'A test event: this endpoint receives utm notifications.' },
    };
    const [deliveryId] = await insertDeliveries(
      this.db.pool,
      [{ webhookId, eventId, type: 'webhook.test', payload, source: null, factId: null }],
      now,
    );
    if (!deliveryId) throw new Error('the test delivery was not written');
    return { deliveryId, eventId };
  }

  reopen(webhookId: string, deliveryId: string, now: Date) {
    return reopenDelivery(this.db.pool, webhookId, deliveryId, now);
  }

  deliveries(webhookId: string, p: DeliveryPage) {
    return this.db.prisma.webhookDelivery.findMany({
      where: {
        webhookId,
        ...(p.before
          ? {
              OR: [{ createdAt: { lt: p.before.at } }, { createdAt: p.before.at, id: { lt: p.before.id } }],
            }
          : {}),
      },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: p.limit + 1,
      include: { attemptRows: { orderBy: { id: 'desc' }, take: 20 } },
    });
  }
}

export type DeliveryRow = Awaited<ReturnType<WebhookRepository['deliveries']>>[number];
