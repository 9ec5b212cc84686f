import { useState } from 'react';
import { Link } from 'wouter';
import { api } from '../api';
import { CopyButton, Empty, ErrorState, Loading, ModeBadge, Section } from '../components';
import {
  alertMessages,
  INDICATOR_ACTIONS,
  KEY_PLACEHOLDER,
  PLACEHOLDERS,
  unreachableFromTradingView,
  webhookUrl,
  type AlertMessage,
  type AlertTarget,
  type IndicatorAction,
} from '../tradingview';
import { formatAction } from '../format';
import { useResource } from '../use-resource';

/** TradingView alert setup for one account: the webhook URL and ready-to-paste messages. */
export function AccountTradingViewPage({ accountId }: { accountId: string }) {
  const account = useResource(() => api.account(accountId), accountId);
  const back = (
    <Link href={`/accounts/${accountId}`} className="back">
      ← Account
    </Link>
  );
  if (account.error && !account.data) {
    return (
      <div className="page">
        {back}
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
        {back}
        <Loading what="the account" />
      </div>
    );
  }
  const a = account.data;
  return (
    <div className="page">
      {back}
      <TradingViewSetup
        target={{ kind: 'account', accountId: a.accountId, name: a.name }}
        heading={
          <>
            {a.name} <ModeBadge mode={a.mode} />
          </>
        }
      />
    </div>
  );
}

/** The setup itself, for any target (an account now; a strategy's broadcast URL uses it too). */
export function TradingViewSetup({ target, heading }: { target: AlertTarget; heading: React.ReactNode }) {
  const [action, setAction] = useState<IndicatorAction>('openLong');
  const [quantity, setQuantity] = useState('10');
  const origin = window.location.origin;
  const url = webhookUrl(origin, target);
  const unreachable = unreachableFromTradingView(origin);
  const messages = alertMessages(target, { action, quantity: quantity.trim() || '1' });

  return (
    <>
      <div className="page-head">
        <h1>TradingView alerts</h1>
        <p className="subtitle">{heading}</p>
      </div>

      <Section title="Webhook URL">
        <p>
          In the alert&apos;s <strong>Notifications</strong> tab, tick <strong>Webhook URL</strong> and paste this, with
          your API key in place of <code>{KEY_PLACEHOLDER}</code> (TradingView cannot send headers, so the key travels
          in the URL; it is never written to a log):
        </p>
        <div className="copy-block">
          <code className="id" data-testid="webhook-url">
            {url}
          </code>
          <CopyButton text={url} label="webhook URL" />
        </div>
        <p className="hint">
          Anyone who can see the alert can read the URL: give TradingView a key of its own (
          <code>npm run utm -- key create --user &lt;userId&gt;</code>) that you can revoke alone, and once keys have
          scopes, an ingest-only key, which can send signals and do nothing else.
        </p>
        {unreachable && (
          <p className="warning" role="note">
            ⚠ {unreachable}. TradingView sends only to ports 80 and 443 of a public IPv4 address: put the gateway behind
            HTTPS on a public host (see <code>deploy/gateway-proxy.conf</code>) and use that address instead of{' '}
            <code>{origin}</code>.
          </p>
        )}
      </Section>

      {messages.map((m) => (
        <MessageSection key={m.id} m={m}>
          {m.id === 'indicator' && (
            <div className="filters">
              <label>
                Action
                <select value={action} onChange={(e) => setAction(e.target.value as IndicatorAction)}>
                  {INDICATOR_ACTIONS.map((x) => (
                    <option key={x} value={x}>
                      {formatAction(x)}
                    </option>
                  ))}
                </select>
              </label>
              {action !== 'closeLong' && action !== 'closeShort' && (
                <label>
                  Quantity
                  <input value={quantity} inputMode="decimal" onChange={(e) => setQuantity(e.target.value)} />
                </label>
              )}
            </div>
          )}
        </MessageSection>
      ))}

      <Section title="What TradingView sends">
        <ul className="plain-list">
          <li>
            A POST with the message as its body once the placeholders are filled in: <code>application/json</code> when
            it is valid JSON, <code>text/plain</code> otherwise. Both are read as JSON here.
          </li>
          <li>
            TradingView waits 3 seconds for an answer; the gateway answers as soon as the signal is stored (202), and
            the order is worked after that.
          </li>
          <li>
            On an answer from 500 to 599 it sends the alert again after 5 seconds, at most 3 times. Refusals (4xx) are
            not sent again: the signal&apos;s error says why.
          </li>
          <li>
            Numbers may be quoted (<code>&quot;150.25&quot;</code>): only plain decimals are accepted, so a placeholder
            TradingView could not fill in is refused on its field instead of trading a wrong size.
          </li>
        </ul>
      </Section>
    </>
  );
}

function MessageSection({ m, children }: { m: AlertMessage; children?: React.ReactNode }) {
  return (
    <Section title={m.title}>
      <p>{m.use}</p>
      {children}
      <div className="message" data-message={m.id}>
        <pre className="code" aria-label={`${m.title} message`}>
          {m.text}
        </pre>
        <CopyButton text={m.text} label={`${m.title} message`} />
      </div>
      <table className="table placeholders-table" aria-label={`Placeholders of the ${m.title}`}>
        <thead>
          <tr>
            <th scope="col">Placeholder</th>
            <th scope="col">TradingView puts there</th>
          </tr>
        </thead>
        <tbody>
          {m.placeholders.map((p) => (
            <tr key={p}>
              <td data-label="Placeholder">
                <code>{p}</code>
              </td>
              <td data-label="TradingView puts there">{PLACEHOLDERS[p].means}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Section>
  );
}
