import { api, type SignalSummary } from './api';

/** One message of GET /api/v1/signals/stream: the signal as it is now, and the event that happened to it. */
export interface LiveMessage {
  signal: SignalSummary;
  event: { id: string; at: string; type: string; message: string };
}

export type LiveState = 'connecting' | 'live' | 'reconnecting';

export interface LiveHandlers {
  message(m: LiveMessage): void;
  /** The stream could not resume where it left off: views must reload. */
  reset(): void;
  state(s: LiveState): void;
}

const MAX_BACKOFF_MS = 30000;

/**
 * The server-sent event stream of the user's signals. EventSource cannot send headers, so
 * the key goes in the query string (the gateway never logs it). The browser reconnects by
 * itself with Last-Event-ID after a dropped connection; when it gives up (an HTTP error,
 * e.g. the gateway restarting), we reconnect with `lastEventId` in the query, with backoff.
 */
export class LiveFeed {
  private source: EventSource | undefined;
  private lastEventId: string | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private backoffMs = 1000;
  private stopped = false;

  constructor(
    private readonly apiKey: string,
    private readonly on: LiveHandlers,
  ) {}

  start(): void {
    this.stopped = false;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.source?.close();
    this.source = undefined;
  }

  private url(): string {
    const q = new URLSearchParams({ apiKey: this.apiKey });
    if (this.lastEventId) q.set('lastEventId', this.lastEventId);
    return `/api/v1/signals/stream?${q.toString()}`;
  }

  private connect(): void {
    this.on.state(this.lastEventId ? 'reconnecting' : 'connecting');
    const es = new EventSource(this.url());
    this.source = es;
    const remember = (e: MessageEvent) => {
      if (e.lastEventId) this.lastEventId = e.lastEventId;
    };
    es.addEventListener('ready', (e) => {
      remember(e);
      this.backoffMs = 1000;
      this.on.state('live');
    });
    es.addEventListener('signal', (e) => {
      remember(e);
      this.on.message(JSON.parse(e.data as string) as LiveMessage);
    });
    es.addEventListener('reset', (e) => {
      remember(e);
      this.on.reset();
    });
    es.addEventListener('error', () => {
      if (this.stopped || es !== this.source) return;
      if (es.readyState === EventSource.CONNECTING) {
        this.on.state('reconnecting'); // the browser retries by itself, with Last-Event-ID
        return;
      }
      es.close();
      this.on.state('reconnecting');
      this.timer = setTimeout(() => void this.retry(), this.backoffMs);
      this.backoffMs = Math.min(this.backoffMs * 2, MAX_BACKOFF_MS);
    });
  }

  /** Before reconnecting by hand, asks whether the key still works (a 401 ends the session). */
  private async retry(): Promise<void> {
    if (this.stopped) return;
    try {
      await api.accounts();
    } catch {
      // Refused key: onUnauthorized has signed out and stop() follows. Gateway down: retry.
    }
    if (!this.stopped) this.connect();
  }
}
