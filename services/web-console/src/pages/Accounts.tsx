import { Link } from 'wouter';
import { api } from '../api';
import { CopyableId, Empty, ErrorState, Loading, ModeBadge, TradingStateBadge } from '../components';
import { formatMoney } from '../format';
import { useLive } from '../live';
import { useDebounced, useResource } from '../use-resource';

/** The user's accounts: id (copyable), name, mode, broker, cash, equity, trading state. */
export function AccountsPage() {
  const accounts = useResource(() => api.accounts(), 'accounts');
  const refresh = useDebounced(accounts.reload, 300);
  useLive(refresh, refresh); // fills move cash and equity

  return (
    <div className="page">
      <div className="page-head">
        <h1>Accounts</h1>
        <p className="subtitle">
          The <code>accountId</code> goes into every signal you send.
        </p>
      </div>
      {accounts.error && !accounts.data ? (
        <ErrorState error={accounts.error} what="accounts" onRetry={accounts.reload} />
      ) : !accounts.data ? (
        <Loading what="accounts" />
      ) : !accounts.data.accounts.length ? (
        <Empty title="No accounts yet">
          <p>
            Create one with <code>npm run utm -- account create --user &lt;userId&gt; --mode PAPER --broker paper</code>
            .
          </p>
        </Empty>
      ) : (
        <table className="table accounts-table" aria-label="Accounts">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Account id</th>
              <th scope="col">Mode</th>
              <th scope="col">Broker</th>
              <th scope="col" className="num">
                Cash
              </th>
              <th scope="col" className="num">
                Equity
              </th>
              <th scope="col">Trading</th>
            </tr>
          </thead>
          <tbody>
            {accounts.data.accounts.map((a) => (
              <tr key={a.accountId} data-account-id={a.accountId}>
                <td data-label="Name">
                  <Link href={`/accounts/${a.accountId}`} className="row-link">
                    {a.name}
                  </Link>
                </td>
                <td data-label="Account id">
                  <CopyableId id={a.accountId} label={`account id of ${a.name}`} />
                </td>
                <td data-label="Mode">
                  <ModeBadge mode={a.mode} />
                </td>
                <td data-label="Broker">{a.broker}</td>
                <td data-label="Cash" className="num">
                  {formatMoney(a.cash)}
                </td>
                <td data-label="Equity" className="num">
                  {formatMoney(a.equity)}
                </td>
                <td data-label="Trading">
                  <TradingStateBadge state={a.tradingState} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
