/**
 * One S/MIME scenario through the whole gateway: a sink on loopback, a gateway whose next hops are
 * the sink, a test PKI whose root the gateway trusts, and helpers to add partners (certificate
 * only) and hosted users (PKCS#12 made by `openssl pkcs12 -export`, key kept by the gateway).
 * Key and certificate files are written to a temp dir so the real `openssl cms` can use them.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gatewayWithSink, type TestGateway } from './gateway.js';
import { hierarchy, type Hierarchy, type Issued } from './pki.js';
import type { Sink } from './sink.js';

/** file-name stem used for a user's .pem/.key/.p12 in the scenario dir */
export const fileStem = (email: string): string => email.replace(/[^a-z0-9]/gi, '_');

export interface SmimeScenario {
  readonly sink: Sink;
  readonly gw: TestGateway;
  readonly pki: Hierarchy;
  /** path of a file in the scenario's temp dir */
  f(name: string): string;
  /** a certificate the gateway does not know: only `<name>.pem` and `<name>.key` are written */
  outsider(email: string): Promise<Issued>;
  /** a certificate the gateway knows (no key): `<name>.pem` and `<name>.key` are written */
  partner(email: string): Promise<Issued>;
  /** a user whose key the gateway holds, imported from an openssl-made PKCS#12 */
  hosted(email: string): Promise<Issued>;
  send(from: string, to: string[], raw: string | Buffer): Promise<void>;
  /** `openssl cms -decrypt` with the files of `email` */
  decrypt(file: string, email: string): Buffer;
}

const nameOf = fileStem;

/** `routes`: extra `relay.routes` entries as a YAML flow sequence body, e.g. `{ domain: a.test, to: "smtp://…" }` */
export async function smimeScenario(t: { after(fn: () => Promise<void> | void): void }, extraYaml = '', options: { routes?: string } = {}): Promise<SmimeScenario> {
  const { gw, sink, send } = await gatewayWithSink(t, extraYaml, options);
  const dir = mkdtempSync(join(tmpdir(), 'sealpost-smime-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const f = (name: string) => join(dir, name);
  const pki = await hierarchy();
  writeFileSync(f('root.pem'), pki.root.pem);
  await gw.app.pki.importer.import(Buffer.from(pki.root.pem), { trust: true, name: 'root.pem' });
  await gw.app.pki.importer.import(Buffer.from(pki.intermediate.pem), { name: 'intermediate.pem' });
  const issue = async (email: string) => {
    const who = await pki.user(email, { key: 'rsa' });
    writeFileSync(f(`${nameOf(email)}.pem`), who.pem);
    writeFileSync(f(`${nameOf(email)}.key`), who.keyPem);
    return who;
  };
  return {
    sink,
    gw,
    pki,
    f,
    outsider: issue,
    async partner(email) {
      const who = await issue(email);
      await gw.app.pki.importer.import(Buffer.from(who.pem), { name: `${email}.pem` });
      return who;
    },
    async hosted(email) {
      const who = await issue(email);
      const p12 = f(`${nameOf(email)}.p12`);
      execFileSync('openssl', ['pkcs12', '-export', '-in', f(`${nameOf(email)}.pem`), '-inkey', f(`${nameOf(email)}.key`), '-out', p12, '-passout', 'pass:scenario-pw']);
      await gw.app.pki.importer.import(readFileSync(p12), { password: 'scenario-pw', name: `${email}.p12` });
      return who;
    },
    send,
    decrypt(file, email) {
      return execFileSync('openssl', ['cms', '-decrypt', '-in', f(file), '-recip', f(`${nameOf(email)}.pem`), '-inkey', f(`${nameOf(email)}.key`)], { stdio: ['ignore', 'pipe', 'pipe'] });
    },
  };
}
