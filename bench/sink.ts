/**
 * The benchmark's SMTP sink: a raw-socket SMTP server that accepts everything and does as little
 * as possible, so it is never the bottleneck (the bench measures it alone first; see run.ts).
 *
 * Run as its own process (`node --import tsx bench/sink.ts`, started by bench/lib/sink-process.ts)
 * so its event loop is not shared with the load generator. It speaks just enough SMTP for
 * nodemailer and Postfix's smtp client: EHLO (PIPELINING, 8BITMIME, SMTPUTF8, SIZE), HELO, MAIL,
 * RCPT, DATA, RSET, NOOP, QUIT; everything else gets 502. Pipelined commands are answered in one
 * write. Message data is not stored: the sink only finds the `X-Bench-Token:` header in the
 * header section and the terminating CRLF.CRLF.
 *
 * For every message it records (token, arrival) where arrival is process.hrtime.bigint() at the
 * moment the final ".\r\n" was seen — CLOCK_MONOTONIC, the same clock in every process on the
 * machine, so the load generator can subtract its own end-of-DATA timestamp. Records go to the
 * parent over the IPC channel in batches: `{ type: 'arrivals', items: [[token, ns], …] }`
 * (a message without a token is counted as `untokened`).
 *
 * Protocol with the parent: on start it sends `{ type: 'listening', port }`; `{ type: 'stop' }`
 * closes it. Only 127.0.0.1 is bound.
 */
import net from 'node:net';

const TERMINATOR = Buffer.from('\r\n.\r\n', 'latin1');
const HEADER_END = Buffer.from('\r\n\r\n', 'latin1');
const TOKEN = /^X-Bench-Token:[ \t]*(\S+)/im;
/** give up looking for the token after this many bytes of a message */
const HEAD_LIMIT = 64 * 1024;
const EHLO_REPLY = '250-sink.bench.test\r\n250-PIPELINING\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250 SIZE 104857600\r\n';

type Arrival = [token: string, ns: string];

const pending: Arrival[] = [];
let untokened = 0;
let flushTimer: NodeJS.Timeout | null = null;

function flush(): void {
  flushTimer = null;
  if (pending.length === 0 && untokened === 0) return;
  const items = pending.splice(0, pending.length);
  const u = untokened;
  untokened = 0;
  process.send?.({ type: 'arrivals', items, untokened: u });
}

function record(token: string | null, at: bigint): void {
  if (token === null) untokened++;
  else pending.push([token, at.toString()]);
  if (pending.length >= 500) flush();
  else flushTimer ??= setTimeout(flush, 5);
}

class Connection {
  private inData = false;
  /** unfinished command line bytes */
  private line: Buffer = Buffer.alloc(0);
  /** the last up to 4 bytes of message data, to find a terminator split across chunks */
  private tail: Buffer = Buffer.alloc(0);
  private head: Buffer[] = [];
  private headBytes = 0;
  private token: string | null = null;
  private headDone = false;

  constructor(private readonly socket: net.Socket) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', () => undefined);
    socket.write('220 sink.bench.test ESMTP bench sink\r\n');
  }

  private onData(chunk: Buffer): void {
    let out = '';
    let rest: Buffer | null = chunk;
    while (rest !== null && rest.length > 0) {
      if (this.inData) {
        const end = this.findEnd(rest);
        this.collectHead(end < 0 ? rest : rest.subarray(0, end));
        if (end < 0) {
          rest = null;
          break;
        }
        record(this.tokenNow(), process.hrtime.bigint());
        out += '250 2.0.0 Ok: queued\r\n';
        this.inData = false;
        rest = rest.subarray(end);
        continue;
      }
      const nl = rest.indexOf(0x0a);
      if (nl < 0) {
        this.line = this.line.length ? Buffer.concat([this.line, rest]) : Buffer.from(rest);
        if (this.line.length > 4096) {
          this.socket.end('500 line too long\r\n');
          return;
        }
        rest = null;
        break;
      }
      const lineBuf = this.line.length ? Buffer.concat([this.line, rest.subarray(0, nl)]) : rest.subarray(0, nl);
      this.line = Buffer.alloc(0);
      rest = rest.subarray(nl + 1);
      const reply = this.command(lineBuf.toString('latin1').replace(/\r$/, ''));
      if (reply === null) {
        this.socket.end(`${out}221 2.0.0 Bye\r\n`);
        return;
      }
      out += reply;
    }
    if (out) this.socket.write(out);
  }

  /** the reply to one command line; null for QUIT */
  private command(line: string): string | null {
    const verb = line.slice(0, 4).toUpperCase();
    switch (verb) {
      case 'EHLO':
        return EHLO_REPLY;
      case 'HELO':
        return '250 sink.bench.test\r\n';
      case 'MAIL':
      case 'RCPT':
      case 'RSET':
      case 'NOOP':
        return '250 2.0.0 Ok\r\n';
      case 'DATA':
        this.inData = true;
        // the CRLF that ended DATA counts as the CRLF before an immediate "."
        this.tail = Buffer.from('\r\n', 'latin1');
        this.head = [];
        this.headBytes = 0;
        this.token = null;
        this.headDone = false;
        return '354 End data with <CR><LF>.<CR><LF>\r\n';
      case 'QUIT':
        return null;
      default:
        return '502 5.5.1 Not implemented\r\n';
    }
  }

  /** index just past CRLF.CRLF in `chunk` (the terminator may start in earlier data), or -1 */
  private findEnd(chunk: Buffer): number {
    if (this.tail.length > 0) {
      const joint = Buffer.concat([this.tail, chunk.subarray(0, 4)]);
      const i = joint.indexOf(TERMINATOR);
      if (i >= 0) return i + TERMINATOR.length - this.tail.length;
    }
    const j = chunk.indexOf(TERMINATOR);
    if (j >= 0) return j + TERMINATOR.length;
    this.tail = chunk.length >= 4 ? Buffer.from(chunk.subarray(chunk.length - 4)) : Buffer.concat([this.tail, chunk]).subarray(-4);
    return -1;
  }

  private collectHead(data: Buffer): void {
    if (this.headDone || data.length === 0) return;
    this.head.push(data.subarray(0, HEAD_LIMIT - this.headBytes));
    this.headBytes += Math.min(data.length, HEAD_LIMIT - this.headBytes);
    const joined = this.head.length === 1 ? this.head[0]! : Buffer.concat(this.head);
    this.head = [joined];
    const end = joined.indexOf(HEADER_END);
    if (end >= 0 || this.headBytes >= HEAD_LIMIT) this.finishHead(end >= 0 ? joined.subarray(0, end) : joined);
  }

  private finishHead(header: Buffer): void {
    this.token = TOKEN.exec(header.toString('latin1'))?.[1] ?? null;
    this.headDone = true;
    this.head = [];
  }

  private tokenNow(): string | null {
    if (!this.headDone && this.head.length > 0) this.finishHead(this.head[0]!);
    return this.token;
  }
}

const connections = new Set<net.Socket>();
let accepted = 0;
const server = net.createServer((socket) => {
  accepted++;
  connections.add(socket);
  socket.once('close', () => connections.delete(socket));
  new Connection(socket);
});

const wanted = Number(process.argv[process.argv.indexOf('--port') + 1] ?? 0);
server.listen(process.argv.includes('--port') ? wanted : 0, '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  if (process.send) process.send({ type: 'listening', port });
  else console.log(`bench sink listening on 127.0.0.1:${port}`);
});

process.on('message', (m: { type?: string }) => {
  if (m?.type === 'connections') process.send?.({ type: 'connections', accepted });
  if (m?.type !== 'stop') return;
  if (flushTimer) clearTimeout(flushTimer);
  flush();
  server.close();
  for (const s of connections) s.destroy();
  process.disconnect?.();
});
// the parent died: do not linger
process.on('disconnect', () => process.exit(0));
