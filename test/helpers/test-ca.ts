/**
 * A throw-away certificate authority for TLS tests, made with the openssl CLI in a temp dir:
 * a P-256 root (CA:TRUE, keyCertSign) and server certificates it signs for given DNS names
 * (serverAuth, SAN only). Nothing is committed; close() removes the directory.
 */
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface IssuedCert {
  readonly key: string;
  readonly cert: string;
  /** SHA-256 of the certificate as "AA:BB:…" (what a `fingerprint` TLS policy pins) */
  readonly fingerprint256: string;
}

export interface TestCa {
  /** the root certificate (PEM) */
  readonly cert: string;
  /** a file holding the root certificate, for `delivery.tls.caFile` */
  readonly certFile: string;
  /** a server certificate for these DNS names (the first is also the CN) */
  issue(names: readonly string[]): Promise<IssuedCert>;
  close(): Promise<void>;
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

export async function createTestCa(name = 'Sealpost Test CA'): Promise<TestCa> {
  const dir = await mkdtemp(join(tmpdir(), 'sealpost-ca-'));
  const caKey = join(dir, 'ca.key');
  const certFile = join(dir, 'ca.pem');
  try {
    await run('openssl', ['req', '-x509', ...EC, '-keyout', caKey, '-out', certFile, '-days', '2', '-subj', `/CN=${name}`, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  const cert = await readFile(certFile, 'utf8');
  let serial = 0;
  return {
    cert,
    certFile,
    async issue(names) {
      const n = ++serial;
      const key = join(dir, `s${n}.key`);
      const csr = join(dir, `s${n}.csr`);
      const out = join(dir, `s${n}.pem`);
      const ext = join(dir, `s${n}.ext`);
      await writeFile(ext, `basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=${names.map((d) => `DNS:${d}`).join(',')}\n`);
      await run('openssl', ['req', '-new', ...EC, '-keyout', key, '-out', csr, '-subj', `/CN=${names[0] ?? 'server'}`]);
      await run('openssl', ['x509', '-req', '-in', csr, '-CA', certFile, '-CAkey', caKey, '-set_serial', String(1000 + n), '-days', '2', '-extfile', ext, '-out', out]);
      const pem = await readFile(out, 'utf8');
      return { key: await readFile(key, 'utf8'), cert: pem, fingerprint256: new X509Certificate(pem).fingerprint256 };
    },
    close: () => rm(dir, { recursive: true, force: true }),
  };
}
