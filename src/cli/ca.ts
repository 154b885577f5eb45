/**
 * `sealpost ca init|issue|revoke|crl|export` (DESIGN §3): the built-in CA (src/ca/).
 *
 * init [--subject DN] [--validity 10y] [--key ec|rsa] [--crl-url URL] [--force]: the CA key and
 *   self-signed certificate, stored as a trust anchor with its key wrapped; refuses a second CA
 *   without --force (the old one stays stored and trusted, so what it issued keeps validating).
 * issue EMAIL --out F.p12 (--password P | --password-file F) [--validity 2y] [--key rsa|ec]:
 *   an S/MIME certificate; the PKCS#12 holds certificate, key and CA certificate. The key is kept
 *   (wrapped) by the gateway only for addresses of internalDomains.
 * revoke SERIAL|EMAIL [--reason R]: revokes and re-issues the CRL.  crl [--out F] [--validity 30d]: a new CRL
 *   into the CRL store (and a DER file).  export [--out F]: the CA certificate, PEM.
 * Exit codes: 0 done, 1 a bad argument / no CA / existing file, 2 an internal error.
 * SECURITY: passwords are never printed; prefer --password-file (--password is visible in ps).
 * Files holding keys are written with mode 0600 and never overwritten.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { Command } from 'commander';
import { BuiltinCa, DEFAULT_CRL_VALIDITY_MS, parseValidity, REVOCATION_REASONS, type KeyKind, type RevocationReason } from '../ca/index.js';
import { loadConfigFile } from '../config/load.js';
import { openDatabase } from '../db/open.js';
import { createStores } from '../db/stores.js';
import { SealpostError } from '../errors/index.js';
import { loadOrCreateSecret } from '../keystore/gateway-secrets.js';
import { KeyWrapper } from '../keystore/key-wrap.js';
import { createPki } from '../pki/index.js';
import type { Output } from './output.js';

export interface CaCliDeps {
  readonly output: () => Output;
  readonly configFile: () => string;
}

const iso = (ms: number) => new Date(ms).toISOString();
const usage = (detail: string, path?: string) => new SealpostError('SP_ERR_CLI_USAGE', detail, path ? { path } : {});

function keyKind(text: string | undefined, fallback: KeyKind): KeyKind {
  if (text === undefined) return fallback;
  if (text === 'rsa' || text === 'ec') return text;
  throw usage(`--key ${JSON.stringify(text)}: give rsa or ec`);
}

function writeNew(file: string, data: Buffer | string, mode: number): void {
  try {
    writeFileSync(file, data, { mode, flag: 'wx' });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw usage(code === 'EEXIST' ? `${file} exists already; give another --out` : `cannot write ${file}: ${code ?? (err as Error).message}`, file);
  }
}

const pem = (der: Buffer) => `-----BEGIN CERTIFICATE-----\n${der.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n?$/, '\n')}-----END CERTIFICATE-----\n`;

/** Opens config, stores, the PKI with the master key (created when missing, as `start` would) and the CA. */
async function withCa(deps: CaCliDeps, fn: (ca: BuiltinCa) => Promise<void>): Promise<void> {
  const { config, baseDir } = loadConfigFile(deps.configFile());
  const path = (p: string) => (isAbsolute(p) ? p : resolve(baseDir, p));
  const wrapper = new KeyWrapper(loadOrCreateSecret(path(config.secrets.masterKeyFile)).secret);
  const postgres = { poolSize: 2, connectTimeoutMs: config.storage.connectTimeout, queryTimeoutMs: config.storage.queryTimeout, applicationName: 'sealpost cli' };
  const stores = createStores(await openDatabase(config.storage.url, { baseDir, postgres }));
  try {
    const settings = { ...config.pki, crlFetch: { ...config.pki.crlFetch, onDemand: false } };
    const pki = createPki(stores.pki, settings, { wrapper });
    await fn(new BuiltinCa({ pki, db: stores.database, internalDomains: config.internalDomains }));
  } finally {
    await stores.close();
  }
}

interface InitOpts { subject: string; validity: string; key?: string; crlUrl?: string; force?: boolean }
interface IssueOpts { out: string; password?: string; passwordFile?: string; validity: string; key?: string }

async function init(deps: CaCliDeps, opts: InitOpts): Promise<void> {
  const validityMs = parseValidity(opts.validity);
  const key = keyKind(opts.key, 'ec');
  await withCa(deps, async (ca) => {
    const r = await ca.init({ subject: opts.subject, validityMs, key, force: Boolean(opts.force), ...(opts.crlUrl ? { crlUrl: opts.crlUrl } : {}) });
    const data = { id: r.record.id, subject: r.record.subject, serial: r.record.serial, key: key === 'ec' ? 'P-256' : 'RSA-3072', notBefore: iso(r.record.notBefore), notAfter: iso(r.record.notAfter), trustAnchor: true, previous: r.previous, crlNumber: r.crl.number };
    const note = r.previous ? `\nthe previous CA ${r.previous} stays stored and trusted (remove it with the certificate store when its certificates are gone)` : '';
    deps.output().print(`created the built-in CA ${data.subject}\n  id ${data.id}\n  ${data.key}, valid until ${data.notAfter}; trust anchor; key stored encrypted${note}`, data);
  });
}

async function issueCert(deps: CaCliDeps, email: string, opts: IssueOpts): Promise<void> {
  if ((opts.password === undefined) === (opts.passwordFile === undefined)) throw usage('give --password or --password-file (one of them)');
  let password = opts.password;
  if (opts.passwordFile !== undefined) {
    try {
      password = readFileSync(opts.passwordFile, 'utf8').replace(/\r?\n$/, '');
    } catch (err) {
      throw usage(`cannot read the password file ${opts.passwordFile}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, opts.passwordFile);
    }
  }
  const validityMs = parseValidity(opts.validity);
  const key = keyKind(opts.key, 'rsa');
  await withCa(deps, async (ca) => {
    const r = await ca.issue({ email, validityMs, key, password: password! });
    writeNew(opts.out, r.p12, 0o600);
    const data = { id: r.record.id, subject: r.record.subject, emails: r.record.emails, serial: r.record.serial, issuer: r.ca.subject, issuerId: r.ca.id, key: key === 'ec' ? 'P-256' : 'RSA-3072', notBefore: iso(r.record.notBefore), notAfter: iso(r.record.notAfter), out: opts.out, internal: r.internal, keyStored: r.keyStored };
    const kept = r.keyStored ? 'the gateway keeps the key (encrypted) to sign and decrypt for this internal address' : 'not an internal domain: the key is only in the PKCS#12 file';
    deps.output().print(`issued ${data.subject} (serial ${data.serial}), valid until ${data.notAfter}\n  id ${data.id}\n  wrote ${opts.out} (PKCS#12, AES-256-CBC/PBKDF2-SHA-256, with the CA certificate)\n  ${kept}`, data);
  });
}

async function revoke(deps: CaCliDeps, target: string, reason: string): Promise<void> {
  if (!(REVOCATION_REASONS as readonly string[]).includes(reason)) throw usage(`--reason ${JSON.stringify(reason)}: give one of ${REVOCATION_REASONS.join(', ')}`);
  await withCa(deps, async (ca) => {
    const r = await ca.revoke(target, reason as RevocationReason);
    const data = { revoked: r.revoked.map((x) => ({ serial: x.serial, email: x.email, at: iso(x.at) })), crlNumber: r.crl.number, revokedCount: r.crl.revokedCount };
    const human = r.revoked.length === 0 ? `${target}: already revoked; CRL ${r.crl.number} re-issued` : `revoked ${data.revoked.map((x) => `${x.serial}${x.email ? ` <${x.email}>` : ''}`).join(', ')}; CRL ${r.crl.number} lists ${r.crl.revokedCount}`;
    deps.output().print(human, data);
  });
}

async function crl(deps: CaCliDeps, opts: { out?: string; validity?: string }): Promise<void> {
  const validityMs = opts.validity === undefined ? DEFAULT_CRL_VALIDITY_MS : parseValidity(opts.validity);
  await withCa(deps, async (ca) => {
    const r = await ca.crl(validityMs);
    if (opts.out !== undefined) writeNew(opts.out, r.der, 0o644);
    const data = { number: r.number, revokedCount: r.revokedCount, nextUpdate: iso(r.nextUpdate), stored: r.stored, out: opts.out ?? null };
    deps.output().print(`CRL ${r.number} of the built-in CA: ${r.revokedCount} revoked, next update ${data.nextUpdate}${r.stored ? ', stored' : ' (a CRL as new is stored already)'}${opts.out ? `; wrote ${opts.out}` : ''}`, data);
  });
}

async function exportCa(deps: CaCliDeps, opts: { out?: string }): Promise<void> {
  await withCa(deps, async (ca) => {
    const record = await ca.current();
    if (!record) throw usage('no built-in CA: run `sealpost ca init` first');
    const text = pem(record.der);
    if (opts.out !== undefined) writeNew(opts.out, text, 0o644);
    if (opts.out !== undefined || deps.output().json) deps.output().print(`wrote ${opts.out}`, { id: record.id, subject: record.subject, pem: text, out: opts.out ?? null });
    else process.stdout.write(text);
  });
}

/** Adds the `ca` command group to the program. */
export function registerCaCommands(program: Command, deps: CaCliDeps): void {
  const ca = program.command('ca').description('the built-in S/MIME CA: init, issue, revoke, crl, export');
  ca.command('init')
    .description('create the CA key and self-signed certificate (a trust anchor; key stored encrypted)')
    .option('--subject <dn>', 'CA subject', 'CN=Sealpost Mail CA')
    .option('--validity <period>', 'e.g. 10y, 18m, 90d', '10y')
    .option('--key <kind>', 'ec (P-256, default) or rsa (RSA-3072)')
    .option('--crl-url <url>', 'CRL distribution point to put into issued certificates')
    .option('--force', 'replace an existing CA')
    .action(async (opts: InitOpts) => init(deps, opts));
  ca.command('issue <email>')
    .description('issue an S/MIME certificate and write it with its key as PKCS#12')
    .requiredOption('--out <file>', 'the .p12 file to write (must not exist)')
    .option('--password <password>', 'PKCS#12 password')
    .option('--password-file <file>', 'read the PKCS#12 password from a file (first line)')
    .option('--validity <period>', 'e.g. 2y, 12m', '2y')
    .option('--key <kind>', 'rsa (RSA-3072, default) or ec (P-256)')
    .action(async (email: string, opts: IssueOpts) => issueCert(deps, email, opts));
  ca.command('revoke <serial-or-email>')
    .description('revoke a certificate of the CA (hex serial, or every certificate of an address) and re-issue the CRL')
    .option('--reason <reason>', REVOCATION_REASONS.join(' | '), 'unspecified')
    .action(async (target: string, opts: { reason: string }) => revoke(deps, target, opts.reason));
  ca.command('crl')
    .description('issue a new CRL into the CRL store')
    .option('--out <file>', 'also write it (DER)')
    .option('--validity <period>', 'next update after, e.g. 30d', '30d')
    .action(async (opts: { out?: string; validity?: string }) => crl(deps, opts));
  ca.command('export')
    .description('print (or --out) the CA certificate, PEM')
    .option('--out <file>', 'write it to a file')
    .action(async (opts: { out?: string }) => exportCa(deps, opts));
}
