/**
 * Runs the real gateway as a child process (`node bin/sealpost.js start --config …`), the way an
 * administrator runs it, so a test can kill it with SIGKILL and restart it on the same data.
 *
 * Each GatewayProcess owns a fresh temp directory holding sealpost.yaml, the SQLite data and the
 * child's stdout/stderr (appended across restarts to stdout.log / stderr.log, each run preceded
 * by a marker line) for debugging. The compiled CLI in dist/ must be current
 * (`npx tsc -p tsconfig.build.json`; `npm test` does it).
 *
 * Ready means: the child logged `gateway.started` on stdout and its listener accepts a TCP
 * connection. A child that exits before that fails start() with the tail of its logs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, writeSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI = join(ROOT, 'bin', 'sealpost.js');

/** A TCP port on 127.0.0.1 that was free a moment ago (bound to port 0, then released). */
export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (!address || typeof address === 'string') return reject(new Error('freePort: no TCP address'));
      server.close(() => resolvePort(address.port));
    });
  });
}

function tryConnect(port: number, host: string, timeoutMs: number): Promise<boolean> {
  return new Promise((resolveOk) => {
    const socket = net.connect({ port, host });
    const done = (ok: boolean): void => {
      clearTimeout(timer);
      socket.destroy();
      resolveOk(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export interface GatewayConfigOptions {
  /** next hop for outbound and inbound mail, as host:port of an SMTP server (e.g. the sink) */
  readonly hopPort: number;
  readonly hopHost?: string;
  /** delivery retry schedule (default ['500ms']) */
  readonly retry?: readonly string[];
  /** more keys of the `delivery` section, e.g. { concurrency: 1 } */
  readonly delivery?: Readonly<Record<string, string | number | boolean>>;
  /** logging level of the child (default info: the tests read `gateway.started` and other events) */
  readonly logLevel?: string;
  /** YAML appended verbatim at the end of the file */
  readonly extraYaml?: string;
}

export interface ExitInfo {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** Every child still running when this process exits is SIGKILLed, so a crashed test leaves no gateway behind. */
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) {
    try {
      child.kill('SIGKILL');
    } catch {
      /* already gone */
    }
  }
});

export class GatewayProcess {
  readonly host = '127.0.0.1';
  /** runs so far (start() calls that spawned a child) */
  runs = 0;
  /** how each run ended, in order */
  readonly exits: ExitInfo[] = [];
  private child: ChildProcess | null = null;
  private exited: Promise<ExitInfo> | null = null;

  private constructor(
    readonly dir: string,
    readonly port: number,
    private options: GatewayConfigOptions,
  ) {}

  get configFile(): string {
    return join(this.dir, 'sealpost.yaml');
  }
  get stdoutFile(): string {
    return join(this.dir, 'stdout.log');
  }
  get stderrFile(): string {
    return join(this.dir, 'stderr.log');
  }
  get dbFile(): string {
    return join(this.dir, 'data', 'sealpost.db');
  }
  get pid(): number | undefined {
    return this.child?.pid;
  }
  get running(): boolean {
    return this.child !== null;
  }

  /** A fresh temp dir with sealpost.yaml; the listener gets a free port. Nothing is started yet. */
  static async create(options: GatewayConfigOptions): Promise<GatewayProcess> {
    const dir = await mkdtemp(join(tmpdir(), 'sealpost-gwproc-'));
    const gw = new GatewayProcess(dir, await freePort(), options);
    await gw.writeConfig();
    return gw;
  }

  /** Rewrites sealpost.yaml (e.g. to point the next hop elsewhere); takes effect at the next start(). */
  async reconfigure(changes: Partial<GatewayConfigOptions>): Promise<void> {
    this.options = { ...this.options, ...changes };
    await this.writeConfig();
  }

  private async writeConfig(): Promise<void> {
    const o = this.options;
    const hop = `smtp://${o.hopHost ?? '127.0.0.1'}:${o.hopPort}`;
    const retry = (o.retry ?? ['500ms']).join(', ');
    const text = [
      'hostname: gw.test',
      'internalDomains: [example.test]',
      'smtp:',
      '  listeners:',
      `    - { name: main, listen: "${this.host}:${this.port}", direction: auto }`,
      `relay: { outbound: "${hop}", inbound: "${hop}" }`,
      `delivery: { ${[`retry: [${retry}]`, ...Object.entries(o.delivery ?? {}).map(([k, v]) => `${k}: ${JSON.stringify(v)}`)].join(', ')} }`,
      `logging: { level: ${o.logLevel ?? 'info'} }`,
      o.extraYaml ?? '',
    ].join('\n');
    await writeFile(this.configFile, `${text}\n`);
  }

  /** Spawns the gateway and waits until it is ready (bounded by timeoutMs). */
  async start(timeoutMs = 20_000): Promise<void> {
    if (this.child) throw new Error(`gateway already running (pid ${this.child.pid})`);
    const run = ++this.runs;
    const stdout = openSync(this.stdoutFile, 'a');
    const stderr = openSync(this.stderrFile, 'a');
    const marker = `--- run ${run} at ${new Date().toISOString()} ---\n`;
    writeSync(stdout, marker);
    writeSync(stderr, marker);
    let child: ChildProcess;
    try {
      child = spawn(process.execPath, [CLI, 'start', '--config', this.configFile], { cwd: this.dir, stdio: ['ignore', stdout, stderr], env: { ...process.env, NO_COLOR: '1' } });
    } finally {
      closeSync(stdout);
      closeSync(stderr);
    }
    this.child = child;
    live.add(child);
    this.exited = new Promise<ExitInfo>((resolveExit) => {
      child.once('exit', (code, signal) => {
        live.delete(child);
        const info = { code, signal };
        this.exits.push(info);
        if (this.child === child) this.child = null;
        resolveExit(info);
      });
    });
    const early: { exit: ExitInfo | null } = { exit: null };
    void this.exited.then((info) => {
      early.exit = info;
    });

    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (early.exit) throw new Error(`gateway run ${run} exited before it was ready (${JSON.stringify(early.exit)})\n${await this.logTail()}`);
      if (Date.now() > deadline) {
        await this.kill('SIGKILL');
        throw new Error(`gateway run ${run} not ready within ${timeoutMs} ms\n${await this.logTail()}`);
      }
      if ((await this.startedLogged(marker)) && (await tryConnect(this.port, this.host, 500))) return;
      await sleep(50);
    }
  }

  /** true once this run's part of stdout.log holds the `gateway.started` event */
  private async startedLogged(marker: string): Promise<boolean> {
    const text = await readFile(this.stdoutFile, 'utf8');
    const at = text.lastIndexOf(marker);
    return at >= 0 && text.indexOf('"event":"gateway.started"', at) >= 0;
  }

  /** Sends the signal and waits for the child to be gone. A no-op when nothing runs. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<ExitInfo | null> {
    const child = this.child;
    if (!child || !this.exited) return null;
    const exited = this.exited;
    child.kill(signal);
    return exited;
  }

  /** Graceful stop: SIGTERM, wait for the drain; SIGKILL if it takes longer than timeoutMs. */
  async stop(timeoutMs = 15_000): Promise<ExitInfo | null> {
    const child = this.child;
    if (!child || !this.exited) return null;
    const exited = this.exited;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    try {
      return await exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Stops whatever runs (SIGKILL: cleanup must not hang) and removes the temp dir unless keep. */
  async dispose(keep = false): Promise<void> {
    await this.kill('SIGKILL');
    if (!keep) await rm(this.dir, { recursive: true, force: true });
  }

  /** Parsed JSON log lines of every run so far (non-JSON lines such as the run markers skipped). */
  async events(): Promise<Array<Record<string, unknown>>> {
    const text = await readFile(this.stdoutFile, 'utf8').catch(() => '');
    const out: Array<Record<string, unknown>> = [];
    for (const line of text.split('\n')) {
      if (!line.startsWith('{')) continue;
      try {
        out.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        /* a line cut by SIGKILL */
      }
    }
    return out;
  }

  /** The last lines of stdout.log and stderr.log, for error messages. */
  async logTail(lines = 30): Promise<string> {
    const tail = async (file: string): Promise<string> => (await readFile(file, 'utf8').catch(() => '')).split('\n').slice(-lines).join('\n');
    return `[${this.stdoutFile}]\n${await tail(this.stdoutFile)}\n[${this.stderrFile}]\n${await tail(this.stderrFile)}`;
  }
}
