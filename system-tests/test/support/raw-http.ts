import { connect, type Socket } from 'node:net';

/** One HTTP/1.1 response as it came over the wire. */
export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * An HTTP/1.1 connection driven by hand, for what a client library hides: a request sent
 * in two halves (so that it is in flight at a chosen moment), several requests on one
 * kept-alive connection, and whether the server closed it afterwards.
 */
export class RawConnection {
  private readonly socket: Socket;
  private buffer = '';
  private closedFlag = false;
  private readonly waiters: (() => void)[] = [];

  private constructor(port: number) {
    this.socket = connect(port, '127.0.0.1');
    this.socket.setEncoding('utf8');
    this.socket.on('data', (d: string) => {
      this.buffer += d;
      this.wake();
    });
    this.socket.on('close', () => {
      this.closedFlag = true;
      this.wake();
    });
    this.socket.on('error', () => undefined); // seen as 'close'
  }

  static async open(port: number): Promise<RawConnection> {
    const c = new RawConnection(port);
    await new Promise<void>((resolve, reject) => {
      c.socket.once('connect', resolve);
      c.socket.once('error', reject);
    });
    return c;
  }

  get closed(): boolean {
    return this.closedFlag;
  }

  write(text: string): void {
    this.socket.write(text);
  }

  /** A request's head and the first `firstBytes` of its body (all of it by default). */
  static request(
    method: string,
    path: string,
    headers: Record<string, string>,
    body = '',
    firstBytes = body.length,
  ): [string, string] {
    const head = [
      `${method} ${path} HTTP/1.1`,
      'Host: 127.0.0.1',
      ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
    ];
    if (body || method === 'POST') head.push(`Content-Length: ${Buffer.byteLength(body)}`);
    const text = `${head.join('\r\n')}\r\n\r\n${body}`;
    const cut = text.length - body.length + firstBytes;
    return [text.slice(0, cut), text.slice(cut)];
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  /** The next complete response (Content-Length framing, as the gateway answers). */
  async response(timeoutMs = 10000): Promise<RawResponse> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const parsed = this.take();
      if (parsed) return parsed;
      if (this.closedFlag)
        throw new Error(`connection closed before a complete response (got ${JSON.stringify(this.buffer)})`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no complete response in ${timeoutMs} ms (got ${JSON.stringify(this.buffer)})`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, left).unref();
      });
    }
  }

  /** Resolves true when the server closes the connection within `timeoutMs`. */
  async closedWithin(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closedFlag && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 50).unref();
      });
    }
    return this.closedFlag;
  }

  destroy(): void {
    this.socket.destroy();
  }

  private take(): RawResponse | null {
    const end = this.buffer.indexOf('\r\n\r\n');
    if (end < 0) return null;
    const [statusLine = '', ...lines] = this.buffer.slice(0, end).split('\r\n');
    const headers: Record<string, string> = {};
    for (const l of lines) {
      const i = l.indexOf(':');
      headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
    }
    const length = Number(headers['content-length'] ?? 0);
    const bodyBytes = Buffer.from(this.buffer.slice(end + 4), 'utf8');
    if (bodyBytes.length < length) return null;
    const body = bodyBytes.subarray(0, length).toString('utf8');
    this.buffer = bodyBytes.subarray(length).toString('utf8');
    return { status: Number(statusLine.split(' ')[1]), headers, body };
  }
}
