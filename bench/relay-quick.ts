/**
 * Quick relay measurement (not a test, no assertions; run by hand):
 *   npx tsx bench/relay-quick.ts [--n 2000] [--size 10KB] [--sessions 10] [--warmup 100]
 *
 * Starts the SMTP sink (test/helpers/sink.ts) and the real gateway as a child process
 * (test/helpers/gateway-process.ts, plain relay: both next hops point at the sink), then sends
 * N messages of the given size over `sessions` persistent SMTP sessions (one transaction after
 * another per session). Every message carries an X-Bench-Token header; the sink records its
 * arrival time, so latency is measured per message from just before the client writes the message
 * with its final ".\r\n" (one write) to its arrival at the sink. Also printed: the accept-only latency (end of DATA → 250),
 * accepted and delivered msgs/s, the gateway's CPU-ms per message and its peak RSS (from /proc).
 *
 * Client, sink and gateway share this machine's cores: the figures are for comparing runs on the
 * same machine, not absolute capacity. Needs a current dist/ (`npx tsc -p tsconfig.build.json`).
 */
import { readFileSync } from 'node:fs';
import { GatewayProcess } from '../test/helpers/gateway-process.js';
import { startSink } from '../test/helpers/sink.js';
import { RawSmtpClient, ehlo } from '../test/helpers/smtp-client.js';

function arg(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 && process.argv[at + 1] ? process.argv[at + 1]! : fallback;
}
function parseSize(text: string): number {
  const m = /^(\d+)\s*(b|kb|mb)?$/i.exec(text.trim());
  if (!m) throw new Error(`bad size: ${text}`);
  return Number(m[1]) * ({ b: 1, kb: 1024, mb: 1024 * 1024 } as Record<string, number>)[(m[2] ?? 'b').toLowerCase()]!;
}

const N = Number(arg('n', '2000'));
const SIZE = parseSize(arg('size', '10KB'));
const SESSIONS = Number(arg('sessions', '10'));
const WARMUP = Number(arg('warmup', '100'));
const DELIVERY_TIMEOUT_MS = 180_000;

/** A message of exactly `size` bytes (plus the terminating ".\r\n"), 76-character lines, no leading dots. */
function message(token: string, size: number): string {
  const head = [
    'From: alice@example.test',
    'To: bob@elsewhere.test',
    `Subject: bench ${token}`,
    `Message-ID: <${token}@bench.test>`,
    `Date: ${new Date().toUTCString()}`,
    `X-Bench-Token: ${token}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=us-ascii',
    '',
    '',
  ].join('\r\n');
  const line = 'abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ 0123456789 lorem ipsu\r\n'; // 78 bytes
  let body = '';
  while (head.length + body.length + line.length <= size) body += line;
  const rest = size - head.length - body.length;
  if (rest >= 2) body += `${'z'.repeat(rest - 2)}\r\n`;
  return head + body;
}

const TOKEN = /^X-Bench-Token: (\S+)\r?$/im;

function tokenOf(body: Buffer): string | null {
  const end = body.indexOf('\r\n\r\n');
  return TOKEN.exec(body.subarray(0, end < 0 ? Math.min(body.length, 4096) : end).toString('latin1'))?.[1] ?? null;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** utime + stime of a process in ms (Linux /proc; clock ticks assumed 100/s, the Linux default) */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10; // fields 14 and 15 of stat(5), counted from state (3)
}
function peakRssMb(pid: number): number {
  const m = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

interface Sent {
  /** just before the message and its final ".\r\n" were written (one write; 10 KB on loopback) */
  endOfData: number;
  /** the 250 arrived */
  acked: number;
}

async function session(port: number): Promise<RawSmtpClient> {
  const c = await RawSmtpClient.connect(port);
  const greeting = await c.reply(10_000);
  if (greeting.code !== 220) throw new Error(`greeting: ${greeting.lines.join(' | ')}`);
  await ehlo(c, 'bench.test');
  return c;
}

async function expect(c: RawSmtpClient, line: string | null, code: number): Promise<void> {
  if (line !== null) c.write(`${line}\r\n`);
  const r = await c.reply(30_000);
  if (r.code !== code) throw new Error(`${line ?? 'reply'}: expected ${code}, got ${r.lines.join(' | ')}`);
}

/** Sends `count` messages over `sessions` persistent sessions; tokens are `${prefix}${i}`. */
async function drive(port: number, prefix: string, count: number, sessions: number, sent: Map<string, Sent>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: sessions }, async () => {
      const c = await session(port);
      for (let i = next++; i < count; i = next++) {
        const token = `${prefix}${i}`;
        const data = message(token, SIZE);
        await expect(c, 'MAIL FROM:<alice@example.test>', 250);
        await expect(c, 'RCPT TO:<bob@elsewhere.test>', 250);
        await expect(c, 'DATA', 354);
        // one write: the final dot in a write of its own would wait for the ACK of the body (Nagle
        // against delayed ACK, ~40 ms on Linux loopback) and measure the client, not the gateway
        const endOfData = performance.now();
        c.write(`${data}.\r\n`);
        await expect(c, null, 250);
        sent.set(token, { endOfData, acked: performance.now() });
      }
      c.write('QUIT\r\n');
      await c.reply(5000).catch(() => undefined);
      await c.close();
    }),
  );
}

async function main(): Promise<void> {
  const arrivals = new Map<string, number>();
  let strays = 0;
  let waiter: (() => void) | null = null;
  const sink = await startSink({
    onData(m) {
      const token = tokenOf(m.body);
      if (token === null || arrivals.has(token)) strays++;
      else arrivals.set(token, performance.now());
      waiter?.();
      return null;
    },
  });
  const gw = await GatewayProcess.create({ hopPort: sink.port, retry: ['500ms'] });
  try {
    await gw.start();
    const pid = gw.pid!;
    const waitArrivals = async (tokens: Iterable<string>, timeoutMs: number): Promise<void> => {
      const want = [...tokens];
      const deadline = Date.now() + timeoutMs;
      while (!want.every((t) => arrivals.has(t))) {
        if (Date.now() > deadline) throw new Error(`only ${want.filter((t) => arrivals.has(t)).length} of ${want.length} messages arrived within ${timeoutMs} ms\n${await gw.logTail(10)}`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 200);
          waiter = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        waiter = null;
      }
    };

    if (WARMUP > 0) {
      const warm = new Map<string, Sent>();
      await drive(gw.port, 'warm-', WARMUP, SESSIONS, warm);
      await waitArrivals(warm.keys(), 60_000);
    }

    const sent = new Map<string, Sent>();
    const cpu0 = cpuMs(pid);
    const t0 = performance.now();
    await drive(gw.port, 'm-', N, SESSIONS, sent);
    const tAccepted = performance.now();
    await waitArrivals(sent.keys(), DELIVERY_TIMEOUT_MS);
    const tDelivered = performance.now();
    const cpu = cpuMs(pid) - cpu0;
    const rss = peakRssMb(pid);

    const accept = [...sent.values()].map((s) => s.acked - s.endOfData).sort((a, b) => a - b);
    const e2e = [...sent].map(([token, s]) => arrivals.get(token)! - s.endOfData).sort((a, b) => a - b);
    const ms = (v: number): string => v.toFixed(1).padStart(9);
    const rate = (count: number, from: number, to: number): string => (count / ((to - from) / 1000)).toFixed(0).padStart(9);

    console.log('');
    console.log(`relay-quick: ${N} messages of ${SIZE} bytes over ${SESSIONS} persistent SMTP sessions (after ${WARMUP} warm-up), sink on loopback`);
    console.log(`gateway: ${gw.dir} (pid ${pid}), Node ${process.version}`);
    console.log('');
    console.log('                                msgs/s       p50 ms     p99 ms     max ms');
    console.log(`accepted  (end of DATA → 250) ${rate(N, t0, tAccepted)}  ${ms(percentile(accept, 50))}  ${ms(percentile(accept, 99))}  ${ms(accept[accept.length - 1]!)}`);
    console.log(`delivered (end of DATA → sink)${rate(N, t0, tDelivered)}  ${ms(percentile(e2e, 50))}  ${ms(percentile(e2e, 99))}  ${ms(e2e[e2e.length - 1]!)}`);
    console.log('');
    console.log(`gateway CPU: ${(cpu / N).toFixed(2)} ms per message (${cpu} ms in all); peak RSS ${rss.toFixed(0)} MB; duplicates/strays at the sink: ${strays}; TCP connections to the sink: ${sink.connections}`);
    console.log(`wall: sending ${((tAccepted - t0) / 1000).toFixed(2)} s, until the last arrival ${((tDelivered - t0) / 1000).toFixed(2)} s`);
    console.log('');
    const exit = await gw.stop();
    if (exit?.code !== 0) console.log(`gateway exit: ${JSON.stringify(exit)}`);
  } finally {
    await gw.dispose();
    await sink.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
