import { Link } from 'wouter';
import { api, type SignalDetail } from '../api';
import { CopyableId, Empty, ErrorState, Loading, Section, StatusBadge } from '../components';
import { formatAction, formatSize, formatTimestamp, requestFields, shortId } from '../format';
import { useLive } from '../live';
import { OrdersTable } from '../orders';
import { plainReason } from '../reasons';
import { useDebounced, useResource } from '../use-resource';

/** The request as received, the event timeline, every order; for a refused signal, why. */
export function SignalDetailPage({ signalId }: { signalId: string }) {
  const signal = useResource(() => api.signal(signalId), signalId);
  const refresh = useDebounced(signal.reload, 150);
  useLive((m) => m.signal.signalId === signalId && refresh(), refresh);

  if (signal.error && !signal.data) {
    if (signal.error.status === 404) {
      return (
        <div className="page">
          <Back />
          <Empty title="Signal not found">
            <p>
              No signal <code>{signalId}</code> belongs to your key&apos;s user.
            </p>
          </Empty>
        </div>
      );
    }
    return (
      <div className="page">
        <Back />
        <ErrorState error={signal.error} what="the signal" onRetry={signal.reload} />
      </div>
    );
  }
  if (!signal.data) {
    return (
      <div className="page">
        <Back />
        <Loading what="the signal" />
      </div>
    );
  }
  return <Detail s={signal.data} />;
}

function Back() {
  return (
    <Link href="/" className="back">
      ← Signals
    </Link>
  );
}

function Detail({ s }: { s: SignalDetail }) {
  const refused = s.status === 'REJECTED' || s.status === 'FAILED';
  return (
    <div className="page">
      <Back />
      <div className="page-head">
        <h1>
          {s.symbol} <span className="muted">{formatAction(s.action, requestFields(s.request).sentiment)}</span>{' '}
          <StatusBadge status={s.status} />
        </h1>
        <dl className="facts">
          <div>
            <dt>Signal</dt>
            <dd>
              <CopyableId id={s.signalId} label="signal id" />
            </dd>
          </div>
          <div>
            <dt>Account</dt>
            <dd>
              <Link href={`/accounts/${s.accountId}`}>{shortId(s.accountId)}</Link>
            </dd>
          </div>
          {s.appliedAction && s.appliedAction !== s.action && (
            <div>
              <dt>Applied as</dt>
              <dd data-applied-action={s.appliedAction}>{formatAction(s.appliedAction)}</dd>
            </div>
          )}
          <div>
            <dt>Size</dt>
            <dd>{formatSize(s.request, s.action)}</dd>
          </div>
          <div>
            <dt>Received</dt>
            <dd>
              <time dateTime={s.receivedAt}>{formatTimestamp(s.receivedAt)}</time>
            </dd>
          </div>
          <div>
            <dt>Updated</dt>
            <dd>
              <time dateTime={s.updatedAt}>{formatTimestamp(s.updatedAt)}</time>
            </dd>
          </div>
        </dl>
      </div>

      {s.error && (
        <div className={`reason ${refused ? 'reason-bad' : 'reason-info'}`} role="note" aria-label="Reason">
          <p className="reason-title">
            {s.status === 'REJECTED'
              ? 'Why it was rejected'
              : s.status === 'FAILED'
                ? 'Why it failed'
                : 'What happened'}
          </p>
          <p>{plainReason(s.error.code)}</p>
          <p className="reason-detail">
            <code>{s.error.code}</code> {s.error.message}
          </p>
        </div>
      )}

      <Section title="Orders">
        {s.orders.length ? (
          <OrdersTable orders={s.orders} label="Orders of this signal" />
        ) : (
          <Empty title={refused ? 'No order was placed' : 'No orders yet'}>
            <p className="muted">
              {refused
                ? 'The signal ended before any order was created.'
                : 'Orders appear when the signal processor has decided.'}
            </p>
          </Empty>
        )}
      </Section>

      <Section title="Timeline">
        <ol className="timeline" aria-label="Events">
          {s.events.map((e, i) => (
            <li key={i} data-event-type={e.type}>
              <time dateTime={e.at}>{formatTimestamp(e.at)}</time>
              <span className="event-type">{e.type.replace(/_/g, ' ')}</span>
              <span className="event-message">{e.message}</span>
            </li>
          ))}
        </ol>
      </Section>

      <Section title="Request as received">
        <pre className="code" aria-label="Request JSON">
          {JSON.stringify(s.request, null, 2)}
        </pre>
      </Section>
    </div>
  );
}
