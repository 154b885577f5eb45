/**
 * Raw SMTP client for protocol corner cases real clients will not produce: exact bytes on the
 * wire, pipelining in one write, STARTTLS by hand. Replies are parsed (multi-line aware) and
 * queued, so a test can assert the exact sequence the server sent.
 */
import net from 'node:net';
import tls from 'node:tls';

export interface SmtpReply {
  readonly code: number;
  /** enhanced status code of the last line, '' when none */
  readonly enhanced: string;
  /** text of the last line after code and enhanced code */
  readonly text: string;
  readonly lines: readonly string[];
}

const DEFAULT_TIMEOUT_MS = 5_000;

export class RawSmtpClient {
  private socket: net.Socket | tls.TLSSocket;
  private buffer = '';
  private pendingLines: string[] = [];
  private readonly replies: SmtpReply[] = [];
  private waiters: (() => void)[] = [];
  private ended = false;
  private readonly onData = (chunk: Buffer): void => this.feed(chunk);

  private constructor(socket: net.Socket | tls.TLSSocket) {
    this.socket = socket;
    this.attach(socket);
  }

  static async connect(port: number, host = '127.0.0.1', options: { implicitTls?: boolean; localAddress?: string; tlsOptions?: tls.ConnectionOptions } = {}): Promise<RawSmtpClient> {
    const socket = await new Promise<net.Socket | tls.TLSSocket>((resolve, reject) => {
      const s = options.implicitTls
        ? tls.connect({ port, host, rejectUnauthorized: false, ...options.tlsOptions, ...(options.localAddress ? { localAddress: options.localAddress } : {}) }, () => resolve(s))
        : net.connect({ port, host, ...(options.localAddress ? { localAddress: options.localAddress } : {}) }, () => resolve(s));
      s.once('error', reject);
    });
    return new RawSmtpClient(socket);
  }

  private attach(socket: net.Socket | tls.TLSSocket): void {
    socket.on('data', this.onData);
    socket.on('error', () => undefined);
    socket.once('close', () => {
      this.ended = true;
      this.wake();
    });
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  private feed(chunk: Buffer): void {
    this.buffer += chunk.toString('latin1');
    let at: number;
    while ((at = this.buffer.indexOf('\r\n')) >= 0) {
      const line = this.buffer.slice(0, at);
      this.buffer = this.buffer.slice(at + 2);
      this.pendingLines.push(line);
      if (line.length < 4 || line[3] === ' ') {
        const last = line.slice(4);
        const m = /^([245]\.\d{1,3}\.\d{1,3}) (.*)$/s.exec(last);
        this.replies.push({ code: Number(line.slice(0, 3)), enhanced: m ? m[1]! : '', text: m ? m[2]! : last, lines: this.pendingLines });
        this.pendingLines = [];
      }
    }
    this.wake();
  }

  /** Bytes received that are not yet a whole reply. */
  get partial(): string {
    return this.buffer;
  }

  get closed(): boolean {
    return this.ended;
  }

  /** Replies received and not yet consumed. */
  get queued(): number {
    return this.replies.length;
  }

  write(data: string | Buffer): void {
    this.socket.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
  }

  async reply(timeoutMs = DEFAULT_TIMEOUT_MS): Promise<SmtpReply> {
    const deadline = Date.now() + timeoutMs;
    while (this.replies.length === 0) {
      if (this.ended) throw new Error(`connection closed while waiting for a reply (partial: ${JSON.stringify(this.buffer)})`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no reply within ${timeoutMs} ms (partial: ${JSON.stringify(this.buffer)})`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.replies.shift()!;
  }

  async command(line: string): Promise<SmtpReply> {
    this.write(`${line}\r\n`);
    return this.reply();
  }

  /** Every reply until the server closes the connection. */
  async drain(timeoutMs = DEFAULT_TIMEOUT_MS): Promise<SmtpReply[]> {
    const out: SmtpReply[] = [];
    for (;;) {
      try {
        out.push(await this.reply(timeoutMs));
      } catch (err) {
        if (this.ended && this.replies.length === 0) return out;
        throw err;
      }
    }
  }

  /** Hands the socket to TLS (after a 220 to STARTTLS). Anything received in clear meanwhile stays in `partial`. */
  async startTls(servername?: string): Promise<tls.TLSSocket> {
    const raw = this.socket;
    raw.off('data', this.onData);
    const secure = await new Promise<tls.TLSSocket>((resolve, reject) => {
      const s = tls.connect({ socket: raw, rejectUnauthorized: false, ...(servername ? { servername } : {}) }, () => resolve(s));
      s.once('error', reject);
    });
    this.socket = secure;
    this.attach(secure);
    return secure;
  }

  get tlsSocket(): tls.TLSSocket | null {
    return this.socket instanceof tls.TLSSocket ? this.socket : null;
  }

  async close(): Promise<void> {
    if (this.ended) return;
    await new Promise<void>((resolve) => {
      this.socket.once('close', () => resolve());
      this.socket.destroy();
    });
  }
}

/** EHLO and return the extension keywords the server advertised. */
export async function ehlo(client: RawSmtpClient, name = 'client.test'): Promise<string[]> {
  const r = await client.command(`EHLO ${name}`);
  if (r.code !== 250) throw new Error(`EHLO refused: ${r.lines.join(' | ')}`);
  return r.lines.slice(1).map((l) => l.slice(4));
}
