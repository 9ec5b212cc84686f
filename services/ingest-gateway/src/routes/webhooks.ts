import { randomUUID } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import { AppError, createWebhookValidator, isUuid, type DeliveryJob, type ErrorDetail } from '@utm/contracts';
import type { Db } from '@utm/db';
import type { Logger } from '@utm/logger';
import type { Producer } from '@utm/queue';
import { encryptWebhookCredentials, generateWebhookSecret } from '@utm/security';
import {
  AddressRefused,
  parseEndpoint,
  resolveAllowed,
  webhookView,
  type AddressPolicy,
  type Resolver,
} from '@utm/webhooks';
import { authOf, type Authenticator } from '../auth/api-key-auth';
import { jsonBody } from '../http/body';
import { deliveryCursor, deliveryView, parseDeliveryCursor } from '../domain/delivery-views';
import { DEFAULT_LIMIT, MAX_LIMIT, throwIfInvalid } from '../domain/paging';
import { WebhookRepository } from '../repositories/webhook-repository';

export interface WebhookRoutesDeps {
  authenticator: Authenticator;
  db: Db;
  logger: Logger;
  /** Test events and manual retries are enqueued at once (else the notifier's sweeper finds them). */
  deliveries?: Producer<DeliveryJob>;
  /** UTM_ENCRYPTION_KEY: without it endpoints cannot be created (503). */
  encryptionKey?: Buffer;
  policy: AddressPolicy;
  resolve?: Resolver;
  now?: () => Date;
}

/**
 * Notifications (docs/contract.md, "Notifications"):
 *   POST   /api/v1/webhooks                          {url, events, kind?, description?} → 201 {webhookId, secret, …}
 *   GET    /api/v1/webhooks                          → {webhooks: [...]}
 *   DELETE /api/v1/webhooks/:id                      → 204
 *   POST   /api/v1/webhooks/:id/test                 → 202 {deliveryId, eventId, status}
 *   GET    /api/v1/webhooks/:id/deliveries           → {deliveries: [...], nextCursor}
 *   POST   /api/v1/webhooks/:id/deliveries/:did/retry → 202 {deliveryId, status}
 * The secret is shown once; URL and secret are stored encrypted together. Another user's
 * endpoint is 404 WEBHOOK_NOT_FOUND, like an unknown one.
 */
export function webhooksRouter(deps: WebhookRoutesDeps): Router {
  const router = Router();
  const repo = new WebhookRepository(deps.db);
  const validate = createWebhookValidator();
  const log = deps.logger.child({ module: 'routes/webhooks' });
  const now = deps.now ?? (() => new Date());
  router.use('/api/v1/webhooks', deps.authenticator.middleware());

  const owned = async (userId: string, id: string) => {
    const w = isUuid(id) ? await repo.find(userId, id) : null;
    if (!w) throw new AppError('WEBHOOK_NOT_FOUND', `Webhook ${id} not found`);
    return w;
  };
  const enqueue = async (deliveryId: string) => {
    await deps.deliveries?.requeue([{ deliveryId }]).catch((err: unknown) => {
      log.warn('delivery not enqueued; the notifier’s sweeper will', { deliveryId, err });
    });
  };

  router.post('/api/v1/webhooks', jsonBody, async (req: Request, res: Response) => {
    const a = authOf(res);
    const body: unknown = req.body;
    const checked = validate(body);
    if (!checked.ok) throw new AppError('VALIDATION_ERROR', 'Invalid webhook', { details: checked.details });
    const { url, events, description } = checked.value;
    const kind = checked.value.kind ?? 'webhook';
    const parsed = parseEndpoint(kind, url);
    if (!parsed.ok) throw new AppError('VALIDATION_ERROR', 'Invalid webhook', { details: parsed.details });
    if (kind === 'webhook') await refuseInternal(deps, new URL(url).hostname);
    if (!deps.encryptionKey)
      throw new AppError(
        'SERVICE_UNAVAILABLE',
        'Webhooks need UTM_ENCRYPTION_KEY on the gateway to store their secrets',
      );
    const id = randomUUID();
    const secret = generateWebhookSecret();
    const w = await repo.create({
      id,
      userId: a.userId,
      kind,
      events,
      description: description ?? null,
      displayUrl: parsed.displayUrl,
      credentials: encryptWebhookCredentials(deps.encryptionKey, id, { url, secret }),
    });
    log.info('webhook created', { webhookId: id, kind, events, keyId: a.keyId });
    res.status(201).json({ ...webhookView(w), secret });
  });

  router.get('/api/v1/webhooks', async (_req: Request, res: Response) => {
    res.json({ webhooks: (await repo.list(authOf(res).userId)).map(webhookView) });
  });

  router.delete('/api/v1/webhooks/:webhookId', async (req: Request<{ webhookId: string }>, res: Response) => {
    const a = authOf(res);
    const { webhookId } = req.params;
    if (!isUuid(webhookId) || !(await repo.remove(a.userId, webhookId)))
      throw new AppError('WEBHOOK_NOT_FOUND', `Webhook ${webhookId} not found`);
    log.info('webhook deleted', { webhookId, keyId: a.keyId });
    res.status(204).end();
  });

  router.post('/api/v1/webhooks/:webhookId/test', async (req: Request<{ webhookId: string }>, res: Response) => {
    const w = await owned(authOf(res).userId, req.params.webhookId);
    if (w.status !== 'ACTIVE')
      throw new AppError('WEBHOOK_DISABLED', `Webhook ${w.id} is disabled: ${w.disabledReason ?? ''}`);
    const t = await repo.createTest(w.id, now());
    await enqueue(t.deliveryId);
    res.status(202).json({ ...t, status: 'PENDING' });
  });

  router.get('/api/v1/webhooks/:webhookId/deliveries', async (req: Request<{ webhookId: string }>, res: Response) => {
    const w = await owned(authOf(res).userId, req.params.webhookId);
    const q = req.query as Record<string, unknown>;
    const details: ErrorDetail[] = [];
    let limit = DEFAULT_LIMIT;
    if (q.limit !== undefined) {
      const n = typeof q.limit === 'string' && /^\d{1,4}$/.test(q.limit) ? Number(q.limit) : NaN;
      if (!Number.isInteger(n) || n < 1 || n > MAX_LIMIT)
        details.push({ field: 'limit', message: `must be an integer from 1 to ${MAX_LIMIT}` });
      else limit = n;
    }
    const before = typeof q.cursor === 'string' ? parseDeliveryCursor(q.cursor) : null;
    if (q.cursor !== undefined && !before)
      details.push({ field: 'cursor', message: 'is not a cursor returned by this API' });
    throwIfInvalid(details);
    const rows = await repo.deliveries(w.id, { before, limit });
    const items = rows.slice(0, limit);
    const last = items[items.length - 1];
    res.json({
      deliveries: items.map(deliveryView),
      nextCursor: rows.length > limit && last ? deliveryCursor(last) : null,
    });
  });

  router.post(
    '/api/v1/webhooks/:webhookId/deliveries/:deliveryId/retry',
    async (req: Request<{ webhookId: string; deliveryId: string }>, res: Response) => {
      const w = await owned(authOf(res).userId, req.params.webhookId);
      if (w.status !== 'ACTIVE')
        throw new AppError('WEBHOOK_DISABLED', `Webhook ${w.id} is disabled: ${w.disabledReason ?? ''}`);
      const { deliveryId } = req.params;
      const d = isUuid(deliveryId) ? await repo.reopen(w.id, deliveryId, now()) : null;
      if (!d) throw new AppError('DELIVERY_NOT_FOUND', `Delivery ${deliveryId} not found`);
      await enqueue(d.id);
      res.status(202).json({ deliveryId: d.id, status: 'PENDING' });
    },
  );

  return router;
}

/** SSRF at the door: a URL whose host resolves to an internal address is refused (again at each delivery). */
async function refuseInternal(deps: WebhookRoutesDeps, host: string): Promise<void> {
  try {
    await resolveAllowed(deps.policy, host, deps.resolve);
  } catch (err) {
    if (err instanceof AddressRefused) throw new AppError('WEBHOOK_URL_REFUSED', err.message);
    throw new AppError('VALIDATION_ERROR', 'Invalid webhook', {
      details: [{ field: 'url', message: `its host does not resolve (${(err as Error).message})` }],
    });
  }
}
