import type { DeliveryRow } from '../repositories/webhook-repository';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** A delivery as GET /api/v1/webhooks/:id/deliveries lists it, with its latest attempts (newest first). */
export function deliveryView(d: DeliveryRow) {
  return {
    deliveryId: d.id,
    eventId: d.eventId,
    event: d.type,
    status: d.status,
    attempts: d.attempts,
    lastResponseCode: d.lastStatusCode,
    lastError: d.lastError,
    nextAttemptAt: d.status === 'PENDING' ? iso(d.nextAttemptAt) : null,
    createdAt: d.createdAt.toISOString(),
    deliveredAt: iso(d.deliveredAt),
    attemptLog: d.attemptRows.map((a) => ({
      at: a.at.toISOString(),
      statusCode: a.statusCode,
      durationMs: a.durationMs,
      error: a.error,
      response: a.response,
    })),
  };
}

/** The page cursor: the last item's creation time and id (opaque to clients). */
export function deliveryCursor(d: { createdAt: Date; id: string }): string {
  return Buffer.from(`${d.createdAt.toISOString()}|${d.id}`, 'utf8').toString('base64url');
}

export function parseDeliveryCursor(raw: string): { at: Date; id: string } | null {
  const [at, id] = Buffer.from(raw, 'base64url').toString('utf8').split('|');
  const when = at ? new Date(at) : null;
  return when && !Number.isNaN(when.getTime()) && id && /^[0-9a-f-]{36}$/i.test(id) ? { at: when, id } : null;
}
