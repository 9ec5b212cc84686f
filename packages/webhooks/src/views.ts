/** An endpoint as GET /api/v1/webhooks lists it (never its URL's secret parts, never its signing secret). */
export interface WebhookRow {
  id: string;
  kind: string;
  displayUrl: string;
  events: string[];
  description: string | null;
  status: string;
  failingSince: Date | null;
  disabledAt: Date | null;
  disabledReason: string | null;
  createdAt: Date;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function webhookView(w: WebhookRow) {
  return {
    webhookId: w.id,
    kind: w.kind,
    url: w.displayUrl,
    events: w.events,
    description: w.description,
    status: w.status,
    failingSince: iso(w.failingSince),
    disabledAt: iso(w.disabledAt),
    disabledReason: w.disabledReason,
    createdAt: w.createdAt.toISOString(),
  };
}

export type WebhookView = ReturnType<typeof webhookView>;
