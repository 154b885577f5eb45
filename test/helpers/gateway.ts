/** Runs a whole gateway in-process on loopback with a fresh data directory per test. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApp, type RunningApp } from '../../src/app.js';
import { parseConfigText } from '../../src/config/index.js';
import { silentLogger } from '../../src/observability/logger.js';

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
