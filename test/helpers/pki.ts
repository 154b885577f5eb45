/**
 * A throw-away PKI for tests, generated per run (never committed): certificates and CRLs made
 * in-process with @peculiar/x509 (so validity windows, key usages, EKUs, name constraints and
 * distribution points can be set exactly), OpenSSL for the files administrators bring
 * (PKCS#12 legacy and OpenSSL 3 defaults, PKCS#7 bundles), and a CRL server on 127.0.0.1.
 */
import 'reflect-metadata';
import { execFile } from 'node:child_process';
import { webcrypto } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as x509 from '@peculiar/x509';
import * as pkijs from 'pkijs';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
type CryptoKeyPair = webcrypto.CryptoKeyPair;
type RsaHashedKeyGenParams = webcrypto.RsaHashedKeyGenParams;
type EcKeyGenParams = webcrypto.EcKeyGenParams;
const run = promisify(execFile);
const DAY = 86_400_000;

export const KU = x509.KeyUsageFlags;
export const EKU = { email: '1.3.6.1.5.5.7.3.4', serverAuth: '1.3.6.1.5.5.7.3.1', any: '2.5.29.37.0' } as const;

export interface Issued {
  readonly der: Buffer;
  readonly pem: string;
  readonly keyPem: string;
  readonly keys: CryptoKeyPair;
  readonly serial: string;
  readonly name: string;
  readonly algorithm: RsaHashedKeyGenParams | EcKeyGenParams;
}

export interface IssueOptions {
  /** e.g. "CN=Alice" */
  readonly subject: string;
  readonly issuer?: Issued;
  readonly emails?: readonly string[];
  readonly ca?: boolean;
  readonly pathLen?: number;
  /** null = no keyUsage extension */
  readonly keyUsage?: number | null;
  /** null = no extendedKeyUsage extension */
  readonly eku?: readonly string[] | null;
  readonly notBefore?: Date;
  readonly notAfter?: Date;
  readonly crlUrl?: string;
  readonly nameConstraints?: { readonly permitted?: readonly string[]; readonly excluded?: readonly string[] };
  readonly key?: 'ec' | 'rsa';
  readonly serial?: string;
}

const EC: EcKeyGenParams & { hash: string } = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
const RSA: RsaHashedKeyGenParams = { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' };
let serialSeq = 0x1000;

function nameConstraintsExtension(nc: NonNullable<IssueOptions['nameConstraints']>): x509.Extension {
  const sub = (list: readonly string[] | undefined) => list?.map((v) => new pkijs.GeneralSubtree({ base: new pkijs.GeneralName({ type: 1, value: v }) }));
  const value = new pkijs.NameConstraints({ ...(nc.permitted ? { permittedSubtrees: sub(nc.permitted)! } : {}), ...(nc.excluded ? { excludedSubtrees: sub(nc.excluded)! } : {}) });
  return new x509.Extension('2.5.29.30', true, value.toSchema().toBER(false));
}

export async function issue(o: IssueOptions): Promise<Issued> {
  const algorithm = o.key === 'rsa' ? RSA : EC;
  const keys = (await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify'])) as unknown as CryptoKeyPair;
  const ca = o.ca ?? false;
  const ku = o.keyUsage === undefined ? (ca ? KU.keyCertSign | KU.cRLSign : o.key === 'rsa' ? KU.digitalSignature | KU.keyEncipherment : KU.digitalSignature | KU.keyAgreement) : o.keyUsage;
  const extensions: x509.Extension[] = [new x509.BasicConstraintsExtension(ca, o.pathLen, true)];
  if (ku !== null) extensions.push(new x509.KeyUsagesExtension(ku, true));
  const eku = o.eku === undefined ? (ca ? null : [EKU.email]) : o.eku;
  if (eku !== null) extensions.push(new x509.ExtendedKeyUsageExtension([...eku]));
  if (o.emails?.length) extensions.push(new x509.SubjectAlternativeNameExtension(o.emails.map((value) => ({ type: 'email' as const, value }))));
  if (o.crlUrl) extensions.push(new x509.CRLDistributionPointsExtension([o.crlUrl]));
  if (o.nameConstraints) extensions.push(nameConstraintsExtension(o.nameConstraints));
  extensions.push(await x509.SubjectKeyIdentifierExtension.create(keys.publicKey));
  if (o.issuer) extensions.push(await x509.AuthorityKeyIdentifierExtension.create(o.issuer.keys.publicKey));
  const serial = o.serial ?? (serialSeq++).toString(16).padStart(6, '0');
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial,
    subject: o.subject,
    issuer: o.issuer?.name ?? o.subject,
    notBefore: o.notBefore ?? new Date(now - DAY),
    notAfter: o.notAfter ?? new Date(now + 30 * DAY),
    signingAlgorithm: o.issuer?.algorithm ?? algorithm,
    publicKey: keys.publicKey,
    signingKey: o.issuer?.keys.privateKey ?? keys.privateKey,
    extensions,
  });
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  // files as OpenSSL writes them: every PEM block ends with a newline (concatenation stays valid)
  const nl = (s: string) => (s.endsWith('\n') ? s : `${s}\n`);
  return { der: Buffer.from(cert.rawData), pem: nl(cert.toString('pem')), keyPem: nl(x509.PemConverter.encode(pkcs8, 'PRIVATE KEY')), keys, serial, name: o.subject, algorithm };
}

export interface CrlOptions {
  readonly revoked?: ReadonlyArray<{ readonly serial: string; readonly at?: Date }>;
  readonly thisUpdate?: Date;
  /** null = no nextUpdate */
  readonly nextUpdate?: Date | null;
  /** sign with this instead of the issuer (a forged CRL) */
  readonly signer?: Issued;
}

/** A CRL of `issuer`, DER. */
export async function makeCrl(issuer: Issued, o: CrlOptions = {}): Promise<Buffer> {
  const now = Date.now();
  const signer = o.signer ?? issuer;
  const crl = await x509.X509CrlGenerator.create({
    issuer: issuer.name,
    thisUpdate: o.thisUpdate ?? new Date(now - 60_000),
    ...(o.nextUpdate === null ? {} : { nextUpdate: o.nextUpdate ?? new Date(now + DAY) }),
    entries: (o.revoked ?? []).map((r) => ({ serialNumber: r.serial, revocationDate: r.at ?? new Date(now - 30_000), reason: x509.X509CrlReason.keyCompromise })),
    signingAlgorithm: signer.algorithm,
    signingKey: signer.keys.privateKey,
  });
  return Buffer.from(crl.rawData);
}

export const crlPem = (der: Buffer): string => `${x509.PemConverter.encode(der, 'X509 CRL')}\n`;

/** A root, an intermediate under it, and what tests usually need from them. */
export interface Hierarchy {
  readonly root: Issued;
  readonly intermediate: Issued;
  /** an end entity under the intermediate naming `address` */
  user(address: string, o?: Partial<IssueOptions>): Promise<Issued>;
}

export async function hierarchy(o: { crlBase?: string; rootNc?: IssueOptions['nameConstraints']; tag?: string } = {}): Promise<Hierarchy> {
  const tag = o.tag ?? Math.random().toString(36).slice(2, 8);
  const root = await issue({ subject: `CN=Test Root ${tag}, O=Sealpost Tests`, ca: true, ...(o.rootNc ? { nameConstraints: o.rootNc } : {}) });
  const intermediate = await issue({ subject: `CN=Test Intermediate ${tag}, O=Sealpost Tests`, ca: true, pathLen: 0, issuer: root, ...(o.crlBase ? { crlUrl: `${o.crlBase}/root-${tag}.crl` } : {}) });
  return {
    root,
    intermediate,
    user: (address, over = {}) => issue({ subject: `CN=${address}`, emails: [address], issuer: intermediate, ...(o.crlBase ? { crlUrl: `${o.crlBase}/int-${tag}.crl` } : {}), ...over }),
  };
}

/** A CRL distribution point on 127.0.0.1: serve(path, bytes); a path without bytes answers 404. */
export interface CrlServer {
  readonly base: string;
  serve(path: string, body: Buffer | string | null): void;
  /** requests per path */
  readonly hits: Map<string, number>;
  close(): Promise<void>;
}

export async function startCrlServer(): Promise<CrlServer> {
  const bodies = new Map<string, Buffer>();
  const hits = new Map<string, number>();
  const server = http.createServer((req, res) => {
    const path = req.url ?? '/';
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const body = bodies.get(path);
    if (!body) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'application/pkix-crl', 'content-length': body.length }).end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    base: `http://127.0.0.1:${port}`,
    serve: (path, body) => (body === null ? bodies.delete(path) : bodies.set(path, Buffer.from(body))),
    hits,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** A temp directory with openssl helpers; close() removes it. */
export async function workdir(): Promise<{ dir: string; write(name: string, data: string | Buffer): Promise<string>; openssl(args: readonly string[]): Promise<string>; close(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'sealpost-pki-'));
  return {
    dir,
    async write(name, data) {
      const p = join(dir, name);
      await writeFile(p, data);
      return p;
    },
    async openssl(args) {
      return (await run('openssl', [...args], { cwd: dir })).stdout;
    },
    close: () => rm(dir, { recursive: true, force: true }),
  };
}

/** PKCS#12 made by `openssl pkcs12 -export` (legacy: RC2/3DES + SHA-1 MAC; else OpenSSL 3 defaults). */
export async function opensslPkcs12(w: Awaited<ReturnType<typeof workdir>>, cert: Issued, chain: readonly Issued[], password: string, legacy: boolean): Promise<Buffer> {
  const n = Math.random().toString(36).slice(2, 8);
  const certFile = await w.write(`${n}.pem`, cert.pem);
  const keyFile = await w.write(`${n}.key`, cert.keyPem);
  const chainFile = await w.write(`${n}-chain.pem`, chain.map((c) => c.pem).join(''));
  const out = join(w.dir, `${n}.p12`);
  const args = ['pkcs12', '-export', '-in', certFile, '-inkey', keyFile, '-out', out, '-passout', `pass:${password}`, '-name', 'test'];
  if (chain.length > 0) args.push('-certfile', chainFile);
  if (legacy) args.push('-legacy');
  await w.openssl(args);
  return readFile(out);
}

/** PKCS#7 certs-only bundle from `openssl crl2pkcs7 -nocrl`. */
export async function opensslP7b(w: Awaited<ReturnType<typeof workdir>>, certs: readonly Issued[], der: boolean): Promise<Buffer> {
  const n = Math.random().toString(36).slice(2, 8);
  const file = await w.write(`${n}-certs.pem`, certs.map((c) => c.pem).join(''));
  const out = join(w.dir, `${n}.p7b`);
  await w.openssl(['crl2pkcs7', '-nocrl', '-certfile', file, '-out', out, ...(der ? ['-outform', 'DER'] : [])]);
  return readFile(out);
}
