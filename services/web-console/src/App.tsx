import { useEffect, useState } from 'react';
import { Link, Route, Router, Switch } from 'wouter';
import { onUnauthorized } from './api';
import { LiveProvider, useLiveState } from './live';
import { AccountDetailPage } from './pages/AccountDetail';
import { AccountsPage } from './pages/Accounts';
import { SignalDetailPage } from './pages/SignalDetail';
import { SignalsPage } from './pages/Signals';
import { SignInPage } from './pages/SignIn';
import { AccountTradingViewPage } from './pages/TradingView';
import { clearApiKey, getApiKey, setApiKey } from './session';

/** The console's base path: the gateway serves it under /app/. */
export const BASE = '/app';

export function App() {
  const [apiKey, setKey] = useState<string | null>(() => getApiKey());
  const [notice, setNotice] = useState<string | undefined>();
  useEffect(
    () =>
      onUnauthorized(() => {
        setKey(null);
        setNotice('The gateway refused your API key (unknown or revoked). Sign in again.');
      }),
    [],
  );
  const signIn = (key: string) => {
    setApiKey(key);
    setNotice(undefined);
    setKey(key);
  };
  const signOut = () => {
    clearApiKey();
    setNotice('You are signed out. The key was removed from this tab.');
    setKey(null);
  };

  return (
    <Router base={BASE}>
      {apiKey === null ? (
        <SignInPage onSignIn={signIn} notice={notice} />
      ) : (
        <LiveProvider apiKey={apiKey}>
          <Layout onSignOut={signOut}>
            <Switch>
              <Route path="/" component={SignalsPage} />
              <Route path="/signals/:signalId">{(p) => <SignalDetailPage signalId={p.signalId} />}</Route>
              <Route path="/accounts" component={AccountsPage} />
              <Route path="/accounts/:accountId/tradingview">
                {(p) => <AccountTradingViewPage accountId={p.accountId} />}
              </Route>
              <Route path="/accounts/:accountId">{(p) => <AccountDetailPage accountId={p.accountId} />}</Route>
              <Route>
                <NotFound />
              </Route>
            </Switch>
          </Layout>
        </LiveProvider>
      )}
    </Router>
  );
}

const LIVE_WORDS = { live: 'Live', connecting: 'Connecting…', reconnecting: 'Reconnecting…' } as const;

function Layout({ children, onSignOut }: { children: React.ReactNode; onSignOut: () => void }) {
  const live = useLiveState();
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <Link href="/" className="brand">
          utm <span>console</span>
        </Link>
        <nav aria-label="Main">
          <Link href="/" className={(active) => (active ? 'nav-link active' : 'nav-link')}>
            Signals
          </Link>
          <Link href="/accounts" className={(active) => (active ? 'nav-link active' : 'nav-link')}>
            Accounts
          </Link>
        </nav>
        <span className={`live live-${live}`} role="status" aria-live="polite" title="Updates arrive without reloading">
          <span className="dot" aria-hidden="true" />
          {LIVE_WORDS[live]}
        </span>
        <button type="button" className="button ghost" onClick={onSignOut}>
          Sign out
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </>
  );
}

function NotFound() {
  return (
    <div className="state state-empty">
      <p className="state-title">No such page</p>
      <p>
        Go to the <Link href="/">Signals</Link> or the <Link href="/accounts">Accounts</Link> page.
      </p>
    </div>
  );
}
