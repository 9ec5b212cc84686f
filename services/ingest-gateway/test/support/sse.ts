/** One server-sent events block: fields as sent (comment lines joined). */
export interface SseMessage {
  id?: string;
  event?: string;
  data?: string;
  retry?: string;
  comment?: string;
}

/** Parsed `data` of an `event: signal` message. */
export interface SignalMessage {
  signal: { signalId: string; status: string; accountId: string; symbol: string; [k: string]: unknown };
  event: { id: string; at: string; type: string; message: string };
}

function parseBlock(block: string): SseMessage {
  const m: SseMessage = {};
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) {
      m.comment = (m.comment ? `${m.comment}\n` : '') + line.slice(1).trim();
      continue;
    }
    const i = line.indexOf(':');
    const field = i < 0 ? line : line.slice(0, i);
    const value = i < 0 ? '' : line.slice(i + 1).replace(/^ /, '');
    if (field === 'id' || field === 'event' || field === 'retry') m[field] = value;
    if (field === 'data') m.data = m.data === undefined ? value : `${m.data}\n${value}`;
  }
  return m;
}

/**
 * A test client of GET /api/v1/signals/stream over a real HTTP connection (fetch), reading
 * every block the server sends, heartbeats included.
 */
export class SseClient {
  readonly messages: SseMessage[] = [];
  /** Resolves when the server ends the stream (or the client closes it). */
  readonly ended: Promise<void>;
  private readonly abort = new AbortController();
  private waiters: (() => void)[] = [];

  private constructor(readonly res: Response) {
    this.ended = this.read();
  }

  static async open(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
    const c = new AbortController();
    const res = await fetch(url, { headers, signal: c.signal });
    const client = new SseClient(res);
    client.abort.signal.addEventListener('abort', () => c.abort());
    return client;
  }

  get status(): number {
    return this.res.status;
  }

  private async read(): Promise<void> {
    if (!this.res.body) return;
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of this.res.body) {
        buffer += decoder.decode(chunk as Uint8Array, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          this.messages.push(parseBlock(buffer.slice(0, end)));
          buffer = buffer.slice(end + 2);
        }
        this.wake();
      }
    } catch (err) {
      if (!this.abort.signal.aborted) throw err;
    } finally {
      this.wake();
    }
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    w.forEach((f) => f());
  }

  /** The `event: signal` messages so far, parsed. */
  signals(): (SignalMessage & { sseId: string | undefined })[] {
    return this.messages
      .filter((m) => m.event === 'signal')
      .map((m) => ({ ...(JSON.parse(m.data ?? '{}') as SignalMessage), sseId: m.id }));
  }

  /** Waits until `ok(messages)` holds. */
  async until(what: string, ok: (c: SseClient) => boolean, timeoutMs = 10000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let done = false;
    void this.ended.then(() => (done = true));
    while (!ok(this)) {
      if (done) throw new Error(`stream ended before ${what}: ${JSON.stringify(this.messages)}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(this.messages)}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 200));
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  close(): Promise<void> {
    this.abort.abort();
    return this.ended.catch(() => undefined);
  }
}
