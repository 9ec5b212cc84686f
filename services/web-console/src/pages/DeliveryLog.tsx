import { useEffect, useState } from 'react';
import { api, type Delivery, type Webhook } from '../api';
import { Empty, ErrorState, Loading, Section } from '../components';
import { formatTimestamp } from '../format';
import { useResource } from '../use-resource';

const REFRESH_MS = 2000;

/** One endpoint's deliveries, newest first: event, status, attempts, last answer, next attempt; each attempt on demand. */
export function DeliveryLog({ webhook, onRetried }: { webhook: Webhook; onRetried(): void }) {
  const log = useResource(() => api.deliveries(webhook.webhookId), webhook.webhookId);
  const { reload } = log;
  // Deliveries move on their own (attempts, retries): the log follows them while it is open.
  useEffect(() => {
    const t = setInterval(reload, REFRESH_MS);
    return () => clearInterval(t);
  }, [reload]);
  const [failed, setFailed] = useState<string | undefined>();
  const retry = async (d: Delivery) => {
    try {
      await api.retryDelivery(webhook.webhookId, d.deliveryId);
      setFailed(undefined);
      onRetried();
    } catch (err) {
      setFailed(err instanceof Error ? err.message : String(err));
    }
    reload();
  };

  return (
    <Section title={`Deliveries to ${webhook.url}`}>
      {failed && (
        <p className="form-error" role="alert">
          {failed}
        </p>
      )}
      {log.error && !log.data ? (
        <ErrorState error={log.error} what="deliveries" onRetry={reload} />
      ) : !log.data ? (
        <Loading what="deliveries" />
      ) : !log.data.deliveries.length ? (
        <Empty title="Nothing sent yet">
          <p>Events this endpoint chose appear here as they happen; “Send a test” sends one now.</p>
        </Empty>
      ) : (
        <table className="table" aria-label="Deliveries">
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Event</th>
              <th scope="col">Status</th>
              <th scope="col" className="num">
                Attempts
              </th>
              <th scope="col">Last answer</th>
              <th scope="col">Next attempt</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {log.data.deliveries.map((d) => (
              <tr key={d.deliveryId} data-delivery-id={d.deliveryId} data-status={d.status}>
                <td data-label="Time">
                  <time dateTime={d.createdAt}>{formatTimestamp(d.createdAt)}</time>
                </td>
                <td data-label="Event">
                  <code>{d.event}</code>
                </td>
                <td data-label="Status">
                  <span className={`badge delivery-${d.status.toLowerCase()}`}>{d.status}</span>
                </td>
                <td data-label="Attempts" className="num">
                  {d.attempts}
                </td>
                <td data-label="Last answer">
                  {d.lastResponseCode ?? '—'}
                  {d.lastError && <div className="hint">{d.lastError}</div>}
                  <Attempts log={d.attemptLog} />
                </td>
                <td data-label="Next attempt">{d.nextAttemptAt ? formatTimestamp(d.nextAttemptAt) : '—'}</td>
                <td data-label="Actions">
                  {d.status !== 'DELIVERED' && (
                    <button type="button" className="button small" onClick={() => void retry(d)}>
                      Retry
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Section>
  );
}

function Attempts({ log }: { log: Delivery['attemptLog'] }) {
  if (!log.length) return null;
  return (
    <details className="attempts">
      <summary>{log.length === 1 ? '1 attempt' : `${log.length} attempts`}</summary>
      <ol aria-label="Attempts">
        {log.map((a) => (
          <li key={a.at} data-status-code={a.statusCode ?? ''}>
            <time dateTime={a.at}>{formatTimestamp(a.at)}</time> · {a.statusCode ?? a.error ?? 'no answer'} ·{' '}
            {a.durationMs} ms
            {a.response && <pre className="response">{a.response}</pre>}
          </li>
        ))}
      </ol>
    </details>
  );
}
