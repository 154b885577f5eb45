/**
 * Starts bench/sink.ts as a child process on loopback and collects its arrival records
 * (token → CLOCK_MONOTONIC nanoseconds at the final ".\r\n", see bench/sink.ts).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SINK = join(dirname(fileURLToPath(import.meta.url)), '..', 'sink.ts');

interface ArrivalsMessage {
  type: 'arrivals';
  items: Array<[string, string]>;
  untokened: number;
}

export class SinkProcess {
  /** token → arrival (ns, process.hrtime.bigint() clock) */
  readonly arrivals = new Map<string, bigint>();
  /** tokens that arrived more than once */
  duplicates = 0;
  /** messages without a token */
  untokened = 0;
  private wakers = new Set<() => void>();

  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
  ) {
    child.on('message', (m: ArrivalsMessage) => {
      if (m?.type !== 'arrivals') return;
      for (const [token, ns] of m.items) {
        if (this.arrivals.has(token)) this.duplicates++;
        else this.arrivals.set(token, BigInt(ns));
      }
      this.untokened += m.untokened;
      for (const w of this.wakers) w();
    });
  }

  get pid(): number {
    return this.child.pid!;
  }

  static async start(): Promise<SinkProcess> {
    const child = fork(SINK, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('bench sink did not start within 20 s')), 20_000);
      child.once('exit', (code) => reject(new Error(`bench sink exited (${code})`)));
      child.on('message', (m: { type?: string; port?: number }) => {
        if (m?.type === 'listening') {
          clearTimeout(timer);
          resolve(m.port!);
        }
      });
    });
    return new SinkProcess(child, port);
  }

  /** Resolves when every token arrived, or after timeoutMs; returns how many are still missing. */
  async waitFor(tokens: readonly string[], timeoutMs: number): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    let missing = tokens.filter((t) => !this.arrivals.has(t));
    while (missing.length > 0 && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(timer);
          this.wakers.delete(done);
          resolve();
        };
        const timer = setTimeout(done, Math.min(200, Math.max(1, deadline - Date.now())));
        this.wakers.add(done);
      });
      missing = missing.filter((t) => !this.arrivals.has(t));
    }
    return missing.length;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.send({ type: 'stop' });
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
  }
}
