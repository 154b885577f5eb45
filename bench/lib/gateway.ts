/**
 * Sealpost under test: `node bin/sealpost.js start --config <tmp>/sealpost.yaml` as a child
 * process (the compiled CLI in dist/), in a fresh temp dir with a generated config:
 * one listener on 127.0.0.1:<free port>, both next hops = the bench sink, storage SQLite in the
 * temp dir or the given postgres:// URL, logging at `info` (what production runs), everything
 * else default — except maxConnectionsPerIp, raised to the session count plus headroom, because
 * the load comes from one address (Postfix exempts $mynetworks from its per-client limits too).
 *
 * Adapted from test/helpers/gateway-process.ts (same readiness rule: `gateway.started` logged
 * and the port accepts a TCP connection), plus `execArgv` for the profiler preload.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { closeSync, openSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../test/helpers/gateway-process.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI = join(ROOT, 'bin', 'sealpost.js');

export interface GatewayOptions {
  readonly sinkPort: number;
  /** postgres://… ; omitted = SQLite in the temp dir */
  readonly storageUrl?: string;
  /** concurrent sessions the load will open (the per-IP limit is set above it) */
  readonly sessions: number;
  /** extra node flags for the child, e.g. ['--require', 'preload.cjs'] */
  readonly execArgv?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  /** encrypt every outbound message with S/MIME (a trusted certificate is imported for the recipient) */
  readonly smime?: { readonly recipient: string };
  /** encrypt every outbound message with OpenPGP (PGP/MIME) to a key generated for the recipient (`pgp generate`) */
  readonly pgp?: { readonly recipient: string; readonly type?: 'curve25519' | 'rsa3072' };
}

function tryConnect(port: number): Promise<boolean> {
  return new Promise((resolveOk) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    const done = (ok: boolean): void => {
      clearTimeout(timer);
      socket.destroy();
      resolveOk(ok);
    };
    const timer = setTimeout(() => done(false), 500);
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** the bench never leaves a gateway behind, even when it crashes */
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

const execFileAsync = promisify(execFile);

/** A test CA and an RSA-2048 certificate for the bench recipient, loaded with the real CLI. */
async function importRecipientCertificate(dir: string, recipient: string): Promise<void> {
  const { hierarchy } = await import('../../test/helpers/pki.js');
  const pki = await hierarchy();
  const user = await pki.user(recipient, { key: 'rsa' });
  await writeFile(join(dir, 'root.pem'), pki.root.pem);
  await writeFile(join(dir, 'recipient.pem'), pki.intermediate.pem + user.pem);
  for (const args of [['certs', 'trust', 'root.pem'], ['certs', 'import', 'recipient.pem']]) {
    await execFileAsync(process.execPath, [CLI, ...args, '--config', join(dir, 'sealpost.yaml')], { cwd: dir });
  }
}

export class BenchGateway {
  private exitInfo: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  private readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  private constructor(
    readonly dir: string,
    readonly port: number,
    private readonly child: ChildProcess,
  ) {
    live.add(child);
    this.exited = new Promise((r) =>
      child.once('exit', (code, signal) => {
        live.delete(child);
        this.exitInfo = { code, signal };
        r(this.exitInfo);
      }),
    );
  }

  get pid(): number {
    return this.child.pid!;
  }

  static async start(o: GatewayOptions, timeoutMs = 60_000): Promise<BenchGateway> {
    const dir = await mkdtemp(join(tmpdir(), 'sealpost-bench-gw-'));
    const port = await freePort();
    const hop = `smtp://127.0.0.1:${o.sinkPort}`;
    const config = [
      'hostname: gw.bench.test',
      'internalDomains: [example.test]',
      'smtp:',
      '  listeners:',
      `    - { name: main, listen: "127.0.0.1:${port}", direction: auto, maxConnectionsPerIp: ${Math.max(20, o.sessions * 2)} }`,
      `relay: { outbound: "${hop}", inbound: "${hop}" }`,
      `storage: { url: "${o.storageUrl ?? 'sqlite:./data/sealpost.db'}" }`,
      'logging: { level: info }',
      ...(o.smime ? ['policies: [ { name: bench-smime, then: [ encrypt ] } ]'] : []),
      ...(o.pgp ? ['policies: [ { name: bench-pgp, then: [ encrypt ] } ]', 'profiles: { default: { order: [pgp] } }'] : []),
      '',
    ].join('\n');
    await writeFile(join(dir, 'sealpost.yaml'), config);
    if (o.smime) await importRecipientCertificate(dir, o.smime.recipient);
    if (o.pgp) await execFileAsync(process.execPath, [CLI, 'pgp', 'generate', o.pgp.recipient, '--external', '--type', o.pgp.type ?? 'curve25519', '--config', join(dir, 'sealpost.yaml')], { cwd: dir });
    const out = openSync(join(dir, 'stdout.log'), 'a');
    const err = openSync(join(dir, 'stderr.log'), 'a');
    let child: ChildProcess;
    try {
      child = spawn(process.execPath, [...(o.execArgv ?? []), CLI, 'start', '--config', join(dir, 'sealpost.yaml')], {
        cwd: dir,
        stdio: ['ignore', out, err],
        env: { ...process.env, NO_COLOR: '1', ...o.env },
      });
    } finally {
      closeSync(out);
      closeSync(err);
    }
    const gw = new BenchGateway(dir, port, child);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (gw.exitInfo || Date.now() > deadline) {
        const why = gw.exitInfo ? `gateway exited before it was ready (${JSON.stringify(gw.exitInfo)})` : `gateway not ready within ${timeoutMs} ms`;
        const tail = await gw.logTail();
        await gw.dispose();
        throw new Error(`${why}\n${tail}`);
      }
      const log = await readFile(join(dir, 'stdout.log'), 'utf8').catch(() => '');
      if (log.includes('"event":"gateway.started"') && (await tryConnect(port))) return gw;
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async logTail(lines = 15): Promise<string> {
    const tail = async (f: string): Promise<string> => (await readFile(join(this.dir, f), 'utf8').catch(() => '')).split('\n').slice(-lines).join('\n');
    return `[stdout]\n${await tail('stdout.log')}\n[stderr]\n${await tail('stderr.log')}`;
  }

  /** SIGTERM (graceful drain; the profiler preload writes its files on exit), SIGKILL after timeoutMs */
  async stop(timeoutMs = 60_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.exitInfo) return this.exitInfo;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  async dispose(keep = false): Promise<void> {
    if (!this.exitInfo) {
      this.child.kill('SIGKILL');
      await this.exited;
    }
    if (!keep) await rm(this.dir, { recursive: true, force: true });
  }
}
