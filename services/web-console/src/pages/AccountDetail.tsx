import { useState } from 'react';
import { Link } from 'wouter';
import { api, ApiError, type AccountDetail, type Position, type TradingState } from '../api';
import { CopyableId, Empty, ErrorState, Loading, ModeBadge, Section, TradingStateBadge } from '../components';
import { formatDecimal, formatMoney, formatTimestamp, shortId } from '../format';
import { useLive } from '../live';
import { OrdersTable, priceOf, roleOf } from '../orders';
import { useDebounced, useResource } from '../use-resource';

const ACTIONS: { action: 'halt' | 'reduce-only' | 'resume'; state: TradingState; label: string; help: string }[] = [
  { action: 'halt', state: 'HALTED', label: 'Halt', help: 'Refuse every new signal' },
  {
    action: 'reduce-only',
    state: 'REDUCE_ONLY',
    label: 'Reduce only',
    help: 'Accept only signals that make positions smaller',
  },
  { action: 'resume', state: 'ACTIVE', label: 'Resume', help: 'Trade normally' },
];

/** Positions with their live exit orders, open orders, recent fills; halt / reduce-only / resume. */
export function AccountDetailPage({ accountId }: { accountId: string }) {
  const account = useResource(() => api.account(accountId), accountId);
  const refresh = useDebounced(account.reload, 150);
  useLive((m) => m.signal.accountId === accountId && refresh(), refresh);

  if (account.error && !account.data) {
    return (
      <div className="page">
        <Back />
        {account.error.status === 404 ? (
          <Empty title="Account not found">
            <p>
              No account <code>{accountId}</code> belongs to your key&apos;s user.
            </p>
          </Empty>
        ) : (
          <ErrorState error={account.error} what="the account" onRetry={account.reload} />
        )}
      </div>
    );
  }
  if (!account.data) {
    return (
      <div className="page">
        <Back />
        <Loading what="the account" />
      </div>
    );
  }
  return <Detail a={account.data} onChanged={account.reload} />;
}

function Back() {
  return (
    <Link href="/accounts" className="back">
      ← Accounts
    </Link>
  );
}

function Detail({ a, onChanged }: { a: AccountDetail; onChanged: () => void }) {
  return (
    <div className="page">
      <Back />
      <div className="page-head">
        <h1>
          {a.name} <ModeBadge mode={a.mode} /> <TradingStateBadge state={a.tradingState} />
        </h1>
        <dl className="facts">
          <div>
            <dt>Account</dt>
            <dd>
              <CopyableId id={a.accountId} label="account id" />
            </dd>
          </div>
          <div>
            <dt>Broker</dt>
            <dd>{a.broker}</dd>
          </div>
          <div>
            <dt>Cash</dt>
            <dd className="num">{formatMoney(a.cash)}</dd>
          </div>
          <div>
            <dt>Equity</dt>
            <dd className="num">{formatMoney(a.equity)}</dd>
          </div>
        </dl>
      </div>
      <TradingControls a={a} onChanged={onChanged} />
      <Section title="Positions">
        {a.positions.length ? <Positions positions={a.positions} /> : <Empty title="No open positions" />}
      </Section>
      <Section title="Open orders">
        {a.openOrders.length ? (
          <OrdersTable orders={a.openOrders} showFills={false} label="Open orders" />
        ) : (
          <Empty title="No open orders" />
        )}
      </Section>
      <Section title="Recent fills">{a.recentFills.length ? <Fills a={a} /> : <Empty title="No fills yet" />}</Section>
      <p className="links">
        <Link href={`/?account=${a.accountId}`}>Signals of this account →</Link>
        <Link href={`/accounts/${a.accountId}/tradingview`}>TradingView alerts for this account →</Link>
      </p>
    </div>
  );
}

function TradingControls({ a, onChanged }: { a: AccountDetail; onChanged: () => void }) {
  const [busy, setBusy] = useState<string | undefined>();
  const [error, setError] = useState<string | undefined>();
  const run = (action: (typeof ACTIONS)[number]['action']) => {
    setBusy(action);
    setError(undefined);
    api.setTradingState(a.accountId, action).then(
      () => {
        setBusy(undefined);
        onChanged();
      },
      (err: unknown) => {
        setBusy(undefined);
        setError(err instanceof ApiError ? err.message : String(err));
      },
    );
  };
  // The current state is said in words; its own button is simply unavailable (greyed, never
  // highlighted: a highlighted "Resume" read as "press me").
  return (
    <div className="controls" role="group" aria-label="Trading state">
      <span className="current">
        Now <TradingStateBadge state={a.tradingState} />
      </span>
      {ACTIONS.map((x) => (
        <button
          key={x.action}
          type="button"
          className={`button ${x.action === 'halt' ? 'danger' : ''}`}
          disabled={busy !== undefined || a.tradingState === x.state}
          title={
            a.tradingState === x.state ? `The account is already ${x.state.toLowerCase().replace('_', ' ')}` : x.help
          }
          onClick={() => run(x.action)}
        >
          {busy === x.action ? '…' : x.label}
        </button>
      ))}
      <span className="hint">Signals are checked against this state when they are decided.</span>
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

function Positions({ positions }: { positions: Position[] }) {
  return (
    <table className="table positions-table" aria-label="Positions">
      <thead>
        <tr>
          <th scope="col">Symbol</th>
          <th scope="col" className="num">
            Quantity
          </th>
          <th scope="col" className="num">
            Avg price
          </th>
          <th scope="col" className="num">
            Mark
          </th>
          <th scope="col">Exit orders</th>
        </tr>
      </thead>
      <tbody>
        {positions.map((p) => (
          <tr key={p.symbol} data-symbol={p.symbol} className={p.exitOrders.length ? '' : 'unprotected'}>
            <td data-label="Symbol">
              <span>
                {p.symbol}{' '}
                <span className={`side side-${p.quantity.startsWith('-') ? 'sell' : 'buy'}`}>
                  {p.quantity.startsWith('-') ? 'SHORT' : 'LONG'}
                </span>
              </span>
            </td>
            <td data-label="Quantity" className="num">
              {formatDecimal(p.quantity)}
            </td>
            <td data-label="Avg price" className="num">
              {formatDecimal(p.avgPrice)}
            </td>
            <td data-label="Mark" className="num">
              {formatDecimal(p.markPrice)}
            </td>
            <td data-label="Exit orders">
              {p.exitOrders.length ? (
                <ul className="exits">
                  {p.exitOrders.map((o) => (
                    <li key={o.orderId} data-role={o.role}>
                      <Link href={`/signals/${o.signalId}`}>{roleOf(o.role)}</Link> {o.side} {formatDecimal(o.quantity)}{' '}
                      · {priceOf(o)} <span className="muted">({o.status})</span>
                    </li>
                  ))}
                </ul>
              ) : (
                <span className="warning" role="note">
                  ⚠ No live stop or target: this position is unprotected
                </span>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Fills({ a }: { a: AccountDetail }) {
  return (
    <table className="table fills-table" aria-label="Recent fills">
      <thead>
        <tr>
          <th scope="col">Time</th>
          <th scope="col">Symbol</th>
          <th scope="col">Side</th>
          <th scope="col">Role</th>
          <th scope="col" className="num">
            Quantity
          </th>
          <th scope="col" className="num">
            Price
          </th>
          <th scope="col">Signal</th>
        </tr>
      </thead>
      <tbody>
        {a.recentFills.map((f, i) => (
          <tr key={`${f.orderId}-${i}`}>
            <td data-label="Time">
              <time dateTime={f.at}>{formatTimestamp(f.at)}</time>
            </td>
            <td data-label="Symbol">{f.symbol}</td>
            <td data-label="Side">
              <span className={`side side-${f.side.toLowerCase()}`}>{f.side}</span>
            </td>
            <td data-label="Role">{roleOf(f.role)}</td>
            <td data-label="Quantity" className="num">
              {formatDecimal(f.quantity)}
            </td>
            <td data-label="Price" className="num">
              {formatDecimal(f.price)}
            </td>
            <td data-label="Signal">
              <Link href={`/signals/${f.signalId}`}>{shortId(f.signalId)}</Link>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
