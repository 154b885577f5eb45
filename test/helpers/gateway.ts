/** Runs a whole gateway in-process on loopback with a fresh data directory per test. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApp, type RunningApp } from '../../src/app.js';
import { parseConfigText } from '../../src/config/index.js';
import nodemailer from 'nodemailer';
import { silentLogger } from '../../src/observability/logger.js';
import { startSink, type Sink } from './sink.js';

export interface TestGateway {
  readonly app: RunningApp;
  readonly port: number;
  readonly dir: string;
  readonly dbFile: string;
  close(): Promise<void>;
}

/** `extra` is YAML appended to a minimal config (listener on port 0, internal domain example.test). */
export async function startGateway(extra: string, options: { listener?: string } = {}): Promise<TestGateway> {
  const dir = await mkdtemp(join(tmpdir(), 'sealpost-gw-'));
  const listener = options.listener ?? '{ name: main, listen: "127.0.0.1:0", direction: auto }';
  const text = `hostname: gw.example.test\ninternalDomains: [example.test]\nsmtp:\n  listeners:\n    - ${listener}\n${extra}`;
  const config = parseConfigText(text, join(dir, 'sealpost.yaml'));
  // on disk too, so tests can run CLI commands against the running gateway
  await writeFile(join(dir, 'sealpost.yaml'), text);
  const app = await startApp({ config, file: join(dir, 'sealpost.yaml'), baseDir: dir }, { logger: silentLogger(), idlePollMs: 100 });
  return {
    app,
    port: app.listeners[0]!.port,
    dir,
    dbFile: join(dir, 'data', 'sealpost.db'),
    async close() {
      await app.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Sends a raw message over SMTP to the gateway's listener (envelope as given). */
export async function sendRaw(port: number, from: string, to: readonly string[], raw: string | Buffer): Promise<void> {
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });
  try {
    await transport.sendMail({ envelope: { from, to: [...to] }, raw });
  } finally {
    transport.close();
  }
}

export interface GatewayWithSink {
  readonly gw: TestGateway;
  readonly sink: Sink;
  send(from: string, to: readonly string[], raw: string | Buffer): Promise<void>;
}

/** A gateway whose both next hops are one SMTP sink; `extraYaml` is appended to its config. Closed after the test. */
export async function gatewayWithSink(t: { after(fn: () => Promise<void> | void): void }, extraYaml = '', options: { routes?: string } = {}): Promise<GatewayWithSink> {
  const sink = await startSink();
  const routes = options.routes ? `, routes: [${options.routes}]` : '';
  const gw = await startGateway(`relay: { outbound: "smtp://127.0.0.1:${sink.port}", inbound: "smtp://127.0.0.1:${sink.port}"${routes} }\n${extraYaml}`);
  t.after(async () => {
    await gw.close();
    await sink.close();
  });
  return { gw, sink, send: (from, to, raw) => sendRaw(gw.port, from, to, raw) };
}
