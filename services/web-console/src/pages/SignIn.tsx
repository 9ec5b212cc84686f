import { useState, type FormEvent } from 'react';
import { api, ApiError } from '../api';

/** Paste an API key; it is checked against the gateway, then kept in this tab's sessionStorage only. */
export function SignInPage({ onSignIn, notice }: { onSignIn: (key: string) => void; notice: string | undefined }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const apiKey = key.trim();
    if (!apiKey) {
      setError('Paste an API key first.');
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      await api.verifyKey(apiKey);
      onSignIn(apiKey);
    } catch (err) {
      setError(
        err instanceof ApiError && err.status === 401
          ? 'This key is unknown or revoked.'
          : err instanceof Error
            ? err.message
            : String(err),
      );
      setBusy(false);
    }
  };

  return (
    <main id="main" className="signin">
      <form className="signin-card" onSubmit={(e) => void submit(e)} aria-describedby="signin-help">
        <h1>
          utm <span>console</span>
        </h1>
        {notice && (
          <p className="notice" role="status">
            {notice}
          </p>
        )}
        <label htmlFor="api-key">API key</label>
        <input
          id="api-key"
          name="api-key"
          type="password"
          autoComplete="off"
          spellCheck={false}
          placeholder="utm_paper_…"
          value={key}
          onChange={(e) => setKey(e.target.value)}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? 'signin-error' : undefined}
          autoFocus
        />
        {error && (
          <p id="signin-error" className="field-error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" className="button primary" disabled={busy}>
          {busy ? 'Checking…' : 'Sign in'}
        </button>
        <p id="signin-help" className="hint">
          Use the <code>apiKey</code> that <code>npm start</code> printed (also in <code>.data/bootstrap.json</code>),
          or one from <code>npm run utm -- key create</code>. The key stays in this tab only and is forgotten when you
          sign out or close it.
        </p>
      </form>
    </main>
  );
}
