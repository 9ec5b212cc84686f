import { useState, type ReactNode } from 'react';
import type { ApiError, TradingState } from './api';

const STATUS_WORDS: Record<string, string> = {
  PENDING: 'Received, waiting to be processed',
  PROCESSING: 'Being decided and sized',
  SUBMITTED: 'Orders are at the broker',
  PARTIALLY_FILLED: 'Partly filled',
  FILLED: 'Filled',
  REJECTED: 'A rule said no',
  FAILED: 'Could not be executed',
  CANCELLED: 'Cancelled before it filled',
  EXPIRED: 'Expired before it filled',
};

/** A signal or order status, colour-coded (the colour is never the only cue: the word is there). */
export function StatusBadge({ status }: { status: string }) {
  return (
    <span className={`badge status status-${status.toLowerCase()}`} title={STATUS_WORDS[status]}>
      {status.replace('_', ' ')}
    </span>
  );
}

export function ModeBadge({ mode }: { mode: string }) {
  return <span className={`badge mode mode-${mode.toLowerCase()}`}>{mode}</span>;
}

const STATE_WORDS: Record<TradingState, string> = { ACTIVE: 'Active', REDUCE_ONLY: 'Reduce only', HALTED: 'Halted' };

export function TradingStateBadge({ state }: { state: TradingState }) {
  return <span className={`badge trading trading-${state.toLowerCase()}`}>{STATE_WORDS[state]}</span>;
}

export function Loading({ what }: { what: string }) {
  return (
    <div className="state state-loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      Loading {what}…
    </div>
  );
}

export function Empty({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="state state-empty" role="status">
      <p className="state-title">{title}</p>
      {children}
    </div>
  );
}

export function ErrorState({ error, what, onRetry }: { error: ApiError; what: string; onRetry?: () => void }) {
  return (
    <div className="state state-error" role="alert">
      <p className="state-title">Could not load {what}</p>
      <p>
        {error.message} {error.code !== 'NETWORK' && <code>{error.code}</code>}
      </p>
      {onRetry && (
        <button type="button" className="button" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}

/** Copies `text` to the clipboard; when the clipboard is not available, says to select it instead. */
export function CopyButton({ text, label }: { text: string; label: string }) {
  const [copied, setCopied] = useState<'idle' | 'copied' | 'select'>('idle');
  const copy = () => {
    const done = () => {
      setCopied('copied');
      setTimeout(() => setCopied('idle'), 1500);
    };
    const fallback = () => setCopied('select');
    if (navigator.clipboard) navigator.clipboard.writeText(text).then(done, fallback);
    else fallback();
  };
  return (
    <>
      <button type="button" className="button small" onClick={copy} aria-label={`Copy ${label}`}>
        {copied === 'copied' ? 'Copied' : 'Copy'}
      </button>
      {copied === 'select' && <span className="hint">Select it and copy it</span>}
    </>
  );
}

/** An id with a copy button. */
export function CopyableId({ id, label }: { id: string; label: string }) {
  return (
    <span className="copyable">
      <code className="id" title={id}>
        {id}
      </code>
      <CopyButton text={id} label={label} />
    </span>
  );
}

export function Section({ title, children, actions }: { title: string; children: ReactNode; actions?: ReactNode }) {
  return (
    <section className="section" aria-label={title}>
      <div className="section-head">
        <h2>{title}</h2>
        {actions}
      </div>
      {children}
    </section>
  );
}
