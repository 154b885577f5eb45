/**
 * The load generator: `sessions` persistent SMTP sessions on loopback, each sending one
 * transaction after another (MAIL, RCPT and DATA pipelined in one write, RFC 2920, as Postfix and
 * nodemailer do; the message and its final ".\r\n" in one corked write) until `count` messages
 * are sent or the time limit passes. The same generator drives Sealpost, Postfix and the sink.
 *
 * Every message carries a unique `X-Bench-Token` header. Its end-of-DATA time is taken when the
 * write of the final ".\r\n" has been handed to the kernel (for 10 KB that is the moment of the
 * write; for 2 MB the moment the last byte entered the socket buffer), on the CLOCK_MONOTONIC
 * clock the sink uses too (process.hrtime.bigint()).
 */
import net from 'node:net';

export interface LoadOptions {
  readonly port: number;
  readonly count: number;
  readonly sessions: number;
  /** message size in bytes, header included (approximately: ± the token's length) */
  readonly size: number;
  /** token prefix; tokens are `${prefix}${i}` */
  readonly prefix: string;
  /** stop starting new transactions after this long */
  readonly timeLimitMs: number;
  readonly from?: string;
  readonly to?: string;
}

export interface Sent {
  /** ns: the final ".\r\n" was handed to the kernel */
  readonly endOfData: bigint;
  /** ns: the 250 after DATA arrived */
  readonly acked: bigint;
}

export interface LoadResult {
  readonly sent: Map<string, Sent>;
  /** transactions refused or failed, with the reason, at most 20 kept */
  readonly errors: string[];
  errorCount: number;
  readonly startNs: bigint;
  endNs: bigint;
  timedOut: boolean;
}

const LINE = 'abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ 0123456789 lorem ipsu\r\n'; // 78 bytes
const bodies = new Map<number, Buffer>();

/** The body (after the header) for messages of about `size` bytes: 76-character lines, no leading dots. */
function bodyFor(size: number): Buffer {
  let body = bodies.get(size);
  if (!body) {
    const want = Math.max(LINE.length, size - 330); // ≈ the header below
    const lines = Math.floor(want / LINE.length);
    const rest = want - lines * LINE.length;
    body = Buffer.from(LINE.repeat(lines) + (rest >= 3 ? `${'z'.repeat(rest - 2)}\r\n` : ''), 'latin1');
    bodies.set(size, body);
  }
  return body;
}

function header(token: string, from: string, to: string): Buffer {
  return Buffer.from(
    [
      `From: <${from}>`,
      `To: <${to}>`,
      `Subject: bench message ${token}`,
      `Message-ID: <${token}@bench.test>`,
      `Date: ${new Date().toUTCString()}`,
      `X-Bench-Token: ${token}`,
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=us-ascii',
      'Content-Transfer-Encoding: 7bit',
      '',
      '',
    ].join('\r\n'),
    'latin1',
  );
}

interface Reply {
  code: number;
  text: string;
}

class Session {
  private buffer = '';
  private replies: Reply[] = [];
  private waiter: (() => void) | null = null;
  closed = false;

  private constructor(readonly socket: net.Socket) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      this.buffer += chunk.toString('latin1');
      let at: number;
      while ((at = this.buffer.indexOf('\r\n')) >= 0) {
        const line = this.buffer.slice(0, at);
        this.buffer = this.buffer.slice(at + 2);
        if (line.length < 4 || line[3] === ' ') this.replies.push({ code: Number(line.slice(0, 3)), text: line });
      }
      this.wake();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
  }

  static connect(port: number): Promise<Session> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ port, host: '127.0.0.1' }, () => resolve(new Session(s)));
      s.once('error', reject);
    });
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = null;
    w?.();
  }

  async reply(timeoutMs: number): Promise<Reply> {
    const deadline = Date.now() + timeoutMs;
    while (this.replies.length === 0) {
      if (this.closed) throw new Error('connection closed');
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no reply within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    return this.replies.shift()!;
  }

  async expect(code: number, what: string, timeoutMs: number): Promise<void> {
    const r = await this.reply(timeoutMs);
    if (r.code !== code) throw new Error(`${what}: ${r.text}`);
  }

  /** writes the parts corked (one writev); resolves when they were handed to the kernel */
  writeAll(parts: readonly (Buffer | string)[]): Promise<bigint> {
    return new Promise((resolve, reject) => {
      this.socket.cork();
      parts.forEach((p, i) => {
        if (i < parts.length - 1) this.socket.write(p);
        else this.socket.write(p, (err) => (err ? reject(err) : resolve(process.hrtime.bigint())));
      });
      this.socket.uncork();
    });
  }
}

const REPLY_TIMEOUT_MS = 120_000;

export async function runLoad(o: LoadOptions): Promise<LoadResult> {
  const from = o.from ?? 'alice@example.test';
  const to = o.to ?? 'bob@elsewhere.test';
  const body = bodyFor(o.size);
  const envelope = `MAIL FROM:<${from}>\r\nRCPT TO:<${to}>\r\nDATA\r\n`;
  const result: LoadResult = { sent: new Map(), errors: [], errorCount: 0, startNs: process.hrtime.bigint(), endNs: 0n, timedOut: false };
  const deadline = Date.now() + o.timeLimitMs;
  const fail = (why: string): void => {
    result.errorCount++;
    if (result.errors.length < 20) result.errors.push(why);
  };
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(o.sessions, o.count) }, async () => {
      let s: Session | null = null;
      let failuresInARow = 0;
      while (next < o.count && failuresInARow < 5) {
        if (Date.now() > deadline) {
          result.timedOut = true;
          break;
        }
        try {
          if (s === null || s.closed) {
            s = await Session.connect(o.port);
            await s.expect(220, 'greeting', 30_000);
            s.socket.write('EHLO load.bench.test\r\n');
            await s.expect(250, 'EHLO', 30_000);
          }
          const i = next++;
          const token = `${o.prefix}${i}`;
          s.socket.write(envelope);
          const replies = [await s.reply(REPLY_TIMEOUT_MS), await s.reply(REPLY_TIMEOUT_MS), await s.reply(REPLY_TIMEOUT_MS)];
          if (replies[0]!.code !== 250 || replies[1]!.code !== 250 || replies[2]!.code !== 354) {
            fail(`${token}: ${replies.map((r) => r.text).join(' / ')}`);
            if (replies[2]!.code === 354) {
              // the server took DATA although it refused the envelope: end the empty message
              s.socket.write('.\r\n');
              await s.reply(REPLY_TIMEOUT_MS);
            }
            s.socket.write('RSET\r\n');
            await s.expect(250, 'RSET', 30_000);
            continue;
          }
          const endOfData = await s.writeAll([header(token, from, to), body, '.\r\n']);
          const r = await s.reply(REPLY_TIMEOUT_MS);
          if (r.code === 250) result.sent.set(token, { endOfData, acked: process.hrtime.bigint() });
          else fail(`${token}: ${r.text}`);
          failuresInARow = 0;
        } catch (err) {
          fail(err instanceof Error ? err.message : String(err));
          s?.socket.destroy();
          s = null;
          failuresInARow++;
          await new Promise((r) => setTimeout(r, 100));
        }
      }
      if (s && !s.closed) {
        s.socket.write('QUIT\r\n');
        await s.reply(5000).catch(() => undefined);
        s.socket.destroy();
      }
    }),
  );
  result.endNs = process.hrtime.bigint();
  return result;
}
