import { useEffect, useRef, useState, type FormEvent } from 'react';
import { Link, useLocation, useSearchParams } from 'wouter';
import { api, ApiError, SIGNAL_STATUSES, type AccountSummary, type SignalFilter, type SignalSummary } from '../api';
import { Empty, ErrorState, Loading, StatusBadge } from '../components';
import { formatAction, formatApplied, formatSize, formatTime, requestFields, shortId } from '../format';
import { useLive } from '../live';
import { mergePage, mergeSignal } from '../signal-list';
import { useResource } from '../use-resource';

interface ListState {
  key: string;
  rows: SignalSummary[];
  nextCursor: string | null;
  loading: boolean;
  error?: ApiError | undefined;
  loadingMore: boolean;
}

function filterOf(params: URLSearchParams): SignalFilter {
  return {
    accountId: params.get('account') || undefined,
    status: params.get('status') || undefined,
    symbol: params.get('symbol') || undefined,
  };
}

/** Signals newest first, filtered by account, status and symbol; new signals and status changes arrive live. */
export function SignalsPage() {
  const [params, setParams] = useSearchParams();
  const filter = filterOf(params);
  const key = JSON.stringify(filter);
  const accounts = useResource(() => api.accounts(), 'accounts');
  const [list, setList] = useState<ListState>({ key, rows: [], nextCursor: null, loading: true, loadingMore: false });
  const [flash, setFlash] = useState<ReadonlySet<string>>(new Set());
  const pending = useRef(new Map<string, SignalSummary>());
  const loads = useRef(0);

  const load = () => {
    const n = ++loads.current;
    const f = filterOf(params);
    pending.current = new Map();
    setList((l) => ({ ...l, key, loading: true, error: undefined }));
    api.signals(f).then(
      (page) => {
        if (n !== loads.current) return;
        const rows = mergePage(page.signals, pending.current, f, page.nextCursor === null);
        setList({ key, rows, nextCursor: page.nextCursor, loading: false, loadingMore: false });
      },
      (err: unknown) => n === loads.current && setList((l) => ({ ...l, loading: false, error: err as ApiError })),
    );
  };
  const loadRef = useRef(load);
  useEffect(() => {
    loadRef.current = load;
  });
  useEffect(() => loadRef.current(), [key]);

  useLive(
    (m) => {
      if (list.loading) pending.current.set(m.signal.signalId, m.signal);
      setList((l) => (l.loading ? l : { ...l, rows: mergeSignal(l.rows, m.signal, filter, l.nextCursor === null) }));
      setFlash((s) => new Set(s).add(m.signal.signalId));
      setTimeout(
        () =>
          setFlash((s) => {
            const next = new Set(s);
            next.delete(m.signal.signalId);
            return next;
          }),
        1600,
      );
    },
    () => loadRef.current(),
  );

  const loadMore = () => {
    if (!list.nextCursor) return;
    setList((l) => ({ ...l, loadingMore: true }));
    api.signals(filter, list.nextCursor).then(
      (page) =>
        setList((l) =>
          l.key !== key
            ? l
            : {
                ...l,
                rows: [...l.rows, ...page.signals.filter((s) => !l.rows.some((r) => r.signalId === s.signalId))],
                nextCursor: page.nextCursor,
                loadingMore: false,
              },
        ),
      (err: unknown) => setList((l) => ({ ...l, loadingMore: false, error: err as ApiError })),
    );
  };

  const setFilter = (name: 'account' | 'status' | 'symbol', value: string) =>
    setParams(
      (p) => {
        const next = new URLSearchParams(p);
        if (value) next.set(name, value);
        else next.delete(name);
        return next;
      },
      { replace: true },
    );

  const names = new Map((accounts.data?.accounts ?? []).map((a) => [a.accountId, a.name]));
  const filtered = Boolean(filter.accountId || filter.status || filter.symbol);

  return (
    <div className="page">
      <div className="page-head">
        <h1>Signals</h1>
        <p className="subtitle">Newest first. New signals and status changes appear as they happen.</p>
      </div>
      <Filters filter={filter} accounts={accounts.data?.accounts ?? []} onChange={setFilter} />
      {list.error && !list.rows.length ? (
        <ErrorState error={list.error} what="signals" onRetry={load} />
      ) : list.loading && (list.key !== key || !list.rows.length) ? (
        <Loading what="signals" />
      ) : !list.rows.length ? (
        filtered ? (
          <Empty title="No signals match these filters">
            <button
              type="button"
              className="button"
              onClick={() => setParams(new URLSearchParams(), { replace: true })}
            >
              Clear filters
            </button>
          </Empty>
        ) : (
          <NoSignalsYet accounts={accounts.data?.accounts ?? []} />
        )
      ) : (
        <>
          <SignalTable rows={list.rows} names={names} flash={flash} />
          {list.error && (
            <p className="field-error" role="alert">
              {list.error.message}
            </p>
          )}
          {list.nextCursor && (
            <div className="more">
              <button type="button" className="button" onClick={loadMore} disabled={list.loadingMore}>
                {list.loadingMore ? 'Loading…' : 'Load older signals'}
              </button>
            </div>
          )}
        </>
      )}
    </div>
  );
}

function Filters({
  filter,
  accounts,
  onChange,
}: {
  filter: SignalFilter;
  accounts: AccountSummary[];
  onChange: (name: 'account' | 'status' | 'symbol', value: string) => void;
}) {
  const [symbol, setSymbol] = useState(filter.symbol ?? '');
  useEffect(() => setSymbol(filter.symbol ?? ''), [filter.symbol]);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onChange('symbol', symbol.trim().toUpperCase());
  };
  return (
    <form className="filters" onSubmit={submit} aria-label="Filter signals">
      <label>
        Account
        <select value={filter.accountId ?? ''} onChange={(e) => onChange('account', e.target.value)}>
          <option value="">All accounts</option>
          {accounts.map((a) => (
            <option key={a.accountId} value={a.accountId}>
              {a.name} ({shortId(a.accountId)})
            </option>
          ))}
        </select>
      </label>
      <label>
        Status
        <select value={filter.status ?? ''} onChange={(e) => onChange('status', e.target.value)}>
          <option value="">All statuses</option>
          {SIGNAL_STATUSES.map((s) => (
            <option key={s} value={s}>
              {s.replace('_', ' ')}
            </option>
          ))}
        </select>
      </label>
      <label>
        Symbol
        <span className="symbol-filter">
          <input
            value={symbol}
            onChange={(e) => setSymbol(e.target.value)}
            onBlur={() =>
              symbol.trim().toUpperCase() !== (filter.symbol ?? '') && onChange('symbol', symbol.trim().toUpperCase())
            }
            placeholder="AAPL"
            maxLength={15}
            autoCapitalize="characters"
          />
          <button type="submit" className="button small">
            Apply
          </button>
        </span>
      </label>
    </form>
  );
}

function SignalTable({
  rows,
  names,
  flash,
}: {
  rows: SignalSummary[];
  names: Map<string, string>;
  flash: ReadonlySet<string>;
}) {
  const [, navigate] = useLocation();
  return (
    <table className="table signals-table" aria-label="Signals">
      <thead>
        <tr>
          <th scope="col">Time</th>
          <th scope="col">Account</th>
          <th scope="col">Symbol</th>
          <th scope="col">Action</th>
          <th scope="col">Size</th>
          <th scope="col">Status</th>
          <th scope="col">Error</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((s) => (
          <tr
            key={s.signalId}
            className={`clickable${flash.has(s.signalId) ? ' flash' : ''}`}
            data-signal-id={s.signalId}
            data-status={s.status}
            onClick={(e) => {
              if (!(e.target instanceof Element) || !e.target.closest('a')) navigate(`/signals/${s.signalId}`);
            }}
          >
            <td data-label="Time">
              <time dateTime={s.receivedAt} title={s.receivedAt}>
                {formatTime(s.receivedAt)}
              </time>
            </td>
            <td data-label="Account" title={s.accountId}>
              {names.get(s.accountId) ?? shortId(s.accountId)}
            </td>
            <td data-label="Symbol">
              <Link
                href={`/signals/${s.signalId}`}
                className="row-link"
                aria-label={`${s.symbol} ${formatAction(s.action)}, ${s.status}: details`}
              >
                {s.symbol}
              </Link>
            </td>
            <td data-label="Action">{formatApplied(s.action, requestFields(s.request).sentiment, s.appliedAction)}</td>
            <td data-label="Size">{formatSize(s.request, s.action)}</td>
            <td data-label="Status">
              <StatusBadge status={s.status} />
            </td>
            <td data-label="Error">
              {s.error ? (
                <code className="error-code" title={s.error.message}>
                  {s.error.code}
                </code>
              ) : (
                <span className="muted">—</span>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function NoSignalsYet({ accounts }: { accounts: AccountSummary[] }) {
  const accountId = accounts[0]?.accountId ?? '<accountId>';
  const curl = `curl -sS -X POST ${window.location.origin}/api/v1/signals/ingest \\
  -H 'Content-Type: application/json' -H "X-API-Key: $KEY" \\
  -d '{"symbol":"AAPL","action":"openLong","accountId":"${accountId}","quantity":10,"price":150.25}'`;
  return (
    <Empty title="No signals yet">
      <p>
        Send one with the curl that <code>npm start</code> printed, or this one (with your key in <code>$KEY</code>). It
        appears here at once.
      </p>
      <pre className="code">{curl}</pre>
    </Empty>
  );
}
