import { useEffect, useState, type FormEvent } from 'react';
import { api, ApiError, WEBHOOK_EVENTS, type Webhook, type WebhookKind } from '../api';
import { Empty, ErrorState, Loading, Section } from '../components';
import { formatTimestamp } from '../format';
import { useResource } from '../use-resource';
import { DeliveryLog } from './DeliveryLog';

const KINDS: { kind: WebhookKind; label: string; placeholder: string }[] = [
  { kind: 'webhook', label: 'Webhook (signed)', placeholder: 'https://example.com/hooks/utm' },
  { kind: 'discord', label: 'Discord', placeholder: 'https://discord.com/api/webhooks/{id}/{token}' },
  { kind: 'slack', label: 'Slack', placeholder: 'https://hooks.slack.com/services/T…/B…/…' },
  {
    kind: 'telegram',
    label: 'Telegram',
    placeholder: 'https://api.telegram.org/bot{token}/sendMessage?chat_id={chat}',
  },
];

/** Notification endpoints: add one (its secret shown once), send a test, read each one's delivery log, retry. */
export function NotificationsPage() {
  const hooks = useResource(() => api.webhooks(), 'webhooks');
  const [selected, setSelected] = useState<string | undefined>();
  const [secret, setSecret] = useState<{ id: string; secret: string } | undefined>();
  const [notice, setNotice] = useState<string | undefined>();
  const list = hooks.data?.webhooks ?? [];
  const current = list.find((w) => w.webhookId === selected) ?? list[0];

  const act = async (what: string, fn: () => Promise<unknown>) => {
    try {
      await fn();
      setNotice(what);
    } catch (err) {
      setNotice(err instanceof ApiError ? `${err.message} (${err.code})` : String(err));
    }
    hooks.reload();
  };

  return (
    <div className="page">
      <div className="page-head">
        <h1>Notifications</h1>
        <p className="subtitle">
          Where utm tells you when a signal fills or is refused, an order fills or an account is halted.
        </p>
      </div>
      <NewEndpoint
        onCreated={(w) => {
          setSecret({ id: w.webhookId, secret: w.secret });
          setSelected(w.webhookId);
          hooks.reload();
        }}
      />
      {secret && (
        <div className="callout" role="status" aria-label="Signing secret">
          <p>
            <strong>Signing secret — copy it now, it is not shown again.</strong> Verify each request&apos;s{' '}
            <code>webhook-signature</code> with it (Standard Webhooks).
          </p>
          <code className="secret" data-testid="webhook-secret">
            {secret.secret}
          </code>
        </div>
      )}
      {notice && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
      <Section title="Endpoints">
        {hooks.error && !hooks.data ? (
          <ErrorState error={hooks.error} what="endpoints" onRetry={hooks.reload} />
        ) : !hooks.data ? (
          <Loading what="endpoints" />
        ) : !list.length ? (
          <Empty title="No endpoints yet">
            <p>Add one above: a URL of yours (signed JSON), or a Discord, Slack or Telegram destination.</p>
          </Empty>
        ) : (
          <table className="table" aria-label="Endpoints">
            <thead>
              <tr>
                <th scope="col">Endpoint</th>
                <th scope="col">Events</th>
                <th scope="col">Status</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {list.map((w) => (
                <EndpointRow
                  key={w.webhookId}
                  w={w}
                  current={w.webhookId === current?.webhookId}
                  onShow={() => setSelected(w.webhookId)}
                  onTest={() => act('Test event sent.', () => api.testWebhook(w.webhookId))}
                  onDelete={() => act('Endpoint deleted.', () => api.deleteWebhook(w.webhookId))}
                />
              ))}
            </tbody>
          </table>
        )}
      </Section>
      {current && <DeliveryLog webhook={current} onRetried={() => setNotice('Delivery sent again.')} />}
    </div>
  );
}

function EndpointRow(p: { w: Webhook; current: boolean; onShow(): void; onTest(): void; onDelete(): void }) {
  const { w } = p;
  return (
    <tr data-webhook-id={w.webhookId} aria-current={p.current || undefined}>
      <td data-label="Endpoint">
        <span className="badge">{w.kind}</span> <code className="url">{w.url}</code>
        {w.description && <div className="hint">{w.description}</div>}
      </td>
      <td data-label="Events">{w.events.join(', ')}</td>
      <td data-label="Status">
        <span className={`badge webhook-${w.status.toLowerCase()}`}>{w.status}</span>
        {w.disabledReason && (
          <div className="hint">
            {w.disabledAt && formatTimestamp(w.disabledAt)}: {w.disabledReason}
          </div>
        )}
      </td>
      <td data-label="Actions" className="actions">
        <button type="button" className="button small" onClick={p.onShow}>
          Deliveries
        </button>
        <button type="button" className="button small" onClick={p.onTest} disabled={w.status !== 'ACTIVE'}>
          Send a test
        </button>
        <button type="button" className="button small" onClick={p.onDelete}>
          Delete
        </button>
      </td>
    </tr>
  );
}

function NewEndpoint({ onCreated }: { onCreated(w: Webhook & { secret: string }): void }) {
  const [kind, setKind] = useState<WebhookKind>('webhook');
  const [url, setUrl] = useState('');
  const [events, setEvents] = useState<string[]>(['signal.filled', 'signal.rejected', 'order.filled']);
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  useEffect(() => setError(undefined), [kind, url, events]);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    try {
      onCreated(await api.createWebhook({ url, kind, events }));
      setUrl('');
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };
  const toggle = (ev: string) => setEvents((xs) => (xs.includes(ev) ? xs.filter((x) => x !== ev) : [...xs, ev]));
  return (
    <Section title="Add an endpoint">
      <form className="form" onSubmit={(e) => void submit(e)} aria-label="Add an endpoint">
        <label>
          Kind
          <select value={kind} onChange={(e) => setKind(e.target.value as WebhookKind)}>
            {KINDS.map((k) => (
              <option key={k.kind} value={k.kind}>
                {k.label}
              </option>
            ))}
          </select>
        </label>
        <label>
          URL
          <input
            type="url"
            required
            value={url}
            placeholder={KINDS.find((k) => k.kind === kind)?.placeholder}
            onChange={(e) => setUrl(e.target.value)}
          />
        </label>
        <fieldset>
          <legend>Events</legend>
          {WEBHOOK_EVENTS.map((ev) => (
            <label key={ev} className="check">
              <input type="checkbox" checked={events.includes(ev)} onChange={() => toggle(ev)} /> {ev}
            </label>
          ))}
        </fieldset>
        {error && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" className="button" disabled={busy || !url || !events.length}>
          Add endpoint
        </button>
      </form>
    </Section>
  );
}
