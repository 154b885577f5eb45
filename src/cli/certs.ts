/**
 * `sealpost certs import|trust|list|crl` (DESIGN §3): the certificate, trust-anchor, CRL and key
 * stores, changed through the stores so a running gateway sees the change with its next message.
 *
 * import FILE [--password P | --password-file F]: PEM (several blocks, keys included), DER,
 *   PKCS#7 (.p7b, PEM or DER), PKCS#12 (.p12/.pfx); keys are wrapped under the master key
 *   (secrets.masterKeyFile, created when missing, as `start` would).
 * trust FILE: the file's certificates become trust anchors.
 * list: every certificate with subject, emails, issuer, validity, status (trusted, expired,
 *   not-yet-valid, revoked, untrusted — with the reason), hasKey; JSON: an array of objects with `id`.
 * crl FILE: imports a CRL (PEM "X509 CRL" or DER) after checking its signature against a stored
 *   issuer. crl --refresh: fetches the CRLs of all stored certificates now (http only).
 * Exit codes: 0 done (a refresh that could not reach some distribution points still exits 0 and
 * lists them), 1 a bad file, password or argument, 2 an internal error.
 * SECURITY: passwords are never printed; prefer --password-file over --password (visible in ps).
 */
import { isAbsolute, resolve } from 'node:path';
import type { Command } from 'commander';
import { loadConfigFile } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { openDatabase } from '../db/open.js';
import { createStores, type Stores } from '../db/stores.js';
import { SealpostError } from '../errors/index.js';
import { loadOrCreateSecret } from '../keystore/gateway-secrets.js';
import { KeyWrapper } from '../keystore/key-wrap.js';
import { createPki, CrlImportError, endEntityUsages, type Pki, type ValidationResult } from '../pki/index.js';
import { isoOrNull, readInput } from './input.js';
import type { Output } from './output.js';

export interface CertsCliDeps {
  readonly output: () => Output;
  readonly configFile: () => string;
}


/** Opens config, stores and the PKI; `keys`: also load (or create) the master key. */
async function withPki(deps: CertsCliDeps, keys: boolean, fn: (pki: Pki, stores: Stores, config: Config) => Promise<void>): Promise<void> {
  const { config, baseDir } = loadConfigFile(deps.configFile());
  const path = (p: string) => (isAbsolute(p) ? p : resolve(baseDir, p));
  const wrapper = keys ? new KeyWrapper(loadOrCreateSecret(path(config.secrets.masterKeyFile)).secret) : null;
  const postgres = { poolSize: 2, connectTimeoutMs: config.storage.connectTimeout, queryTimeoutMs: config.storage.queryTimeout, applicationName: 'sealpost cli' };
  const stores = createStores(await openDatabase(config.storage.url, { baseDir, postgres }));
  try {
    // listing never waits on distribution points: only `certs crl --refresh` fetches
    const settings = { ...config.pki, crlFetch: { ...config.pki.crlFetch, onDemand: false } };
    await fn(createPki(stores.pki, settings, { wrapper }), stores, config);
  } finally {
    await stores.close();
  }
}

async function importFile(deps: CertsCliDeps, file: string, opts: { password?: string; passwordFile?: string; trust: boolean }): Promise<void> {
  if (opts.password !== undefined && opts.passwordFile !== undefined) throw new SealpostError('SP_ERR_CLI_USAGE', 'give --password or --password-file, not both', { path: file });
  const password = opts.passwordFile !== undefined ? readInput(opts.passwordFile, 'password file').toString('utf8').replace(/\r?\n$/, '') : opts.password;
  const bytes = readInput(file);
  await withPki(deps, !opts.trust, async (pki) => {
    const r = await pki.importer.import(bytes, { trust: opts.trust, name: file, ...(password === undefined ? {} : { password }) });
    const rows = r.certificates.map((c) => ({ id: c.record.id, subject: c.record.subject, emails: c.record.emails, issuer: c.record.issuer, created: c.created, trusted: c.trusted, hasKey: c.record.hasPrivateKey }));
    const lines = rows.map((c) => `  ${c.id}  ${c.subject}${c.emails.length ? `  <${c.emails.join(', ')}>` : ''}${c.created ? '' : '  (already stored)'}${c.trusted ? '  [trusted]' : ''}${c.hasKey ? '  [key]' : ''}`);
    const verb = opts.trust ? 'trusted' : 'imported';
    deps.output().print(`${verb} ${rows.length} certificate(s) from ${file} (${r.kind})${r.keys.length ? `, ${r.keys.length} private key(s) stored encrypted` : ''}\n${lines.join('\n')}`, { file, kind: r.kind, certificates: rows, keys: r.keys });
  });
}

type ListStatus = 'trusted' | 'expired' | 'not-yet-valid' | 'revoked' | 'untrusted';

function listStatus(v: ValidationResult): ListStatus {
  if (v.status === 'valid') return 'trusted';
  if (v.status === 'expired' || v.status === 'not-yet-valid' || v.status === 'revoked') return v.status;
  return 'untrusted';
}

async function list(deps: CertsCliDeps): Promise<void> {
  await withPki(deps, false, async (pki, stores, config) => {
    const now = Date.now();
    const anchors = await stores.pki.roots.ids();
    const rows = [];
    for (const r of await stores.pki.certificates.list()) {
      const v = await pki.validator.validate(r, { now, purpose: 'any', revocation: config.pki.revocation });
      let usages: string[] = [];
      try {
        usages = r.isCa ? [] : endEntityUsages(pki.validator.parse(r.der, r.id));
      } catch {
        usages = [];
      }
      rows.push({
        id: r.id,
        subject: r.subject,
        emails: r.emails,
        issuer: r.issuer,
        serial: r.serial,
        notBefore: isoOrNull(r.notBefore),
        notAfter: isoOrNull(r.notAfter),
        status: listStatus(v),
        ...(v.reason === undefined ? {} : { reason: v.reason }),
        warnings: v.warnings,
        trustAnchor: anchors.has(r.id),
        isCa: r.isCa,
        hasKey: r.hasPrivateKey,
        usages,
        source: r.source,
      });
    }
    const human =
      rows.length === 0
        ? 'no certificates (import some with `sealpost certs import FILE`, trust roots with `sealpost certs trust FILE`)'
        : rows
            .map((c) => `${c.id.slice(0, 16)}…  ${c.status.padEnd(13)} ${c.hasKey ? 'key ' : '    '}${c.subject}${c.emails.length ? `  <${c.emails.join(', ')}>` : ''}\n    issuer ${c.issuer}; valid ${c.notBefore} – ${c.notAfter}${c.trustAnchor ? '; trust anchor' : ''}${c.reason ? `\n    ${c.reason}` : ''}${c.warnings.map((x) => `\n    warning: ${x}`).join('')}`)
            .join('\n');
    deps.output().print(human, rows);
  });
}

async function crl(deps: CertsCliDeps, file: string | undefined, refresh: boolean): Promise<void> {
  if ((file === undefined) === !refresh) throw new SealpostError('SP_ERR_CLI_USAGE', 'give a CRL file or --refresh (one of them)', {});
  await withPki(deps, false, async (pki) => {
    if (file !== undefined) {
      let r;
      try {
        r = await pki.crls.importCrl(readInput(file));
      } catch (err) {
        if (err instanceof CrlImportError) throw new SealpostError('SP_ERR_CLI_USAGE', `${file}: ${err.message}`, { path: file });
        throw err;
      }
      const data = { file, id: r.id, issuer: r.issuer, issuerCertificateId: r.issuerCertificateId, thisUpdate: isoOrNull(r.thisUpdate), nextUpdate: isoOrNull(r.nextUpdate), revokedCount: r.revokedCount, stored: r.stored };
      deps.output().print(r.stored ? `stored the CRL of ${r.issuer} (this update ${data.thisUpdate}, next ${data.nextUpdate ?? 'none'}, ${r.revokedCount} revoked)` : `kept the stored CRL of ${r.issuer}: it is as new as ${file} or newer`, data);
      return;
    }
    const s = await pki.crls.refreshAll();
    const fetched = s.fetched.map((f) => ({ url: f.url, issuer: f.issuer, thisUpdate: isoOrNull(f.thisUpdate), nextUpdate: isoOrNull(f.nextUpdate), revokedCount: f.revokedCount, stored: f.stored }));
    const human = [
      `${s.fetched.length} CRL(s) fetched, ${s.failed.length} failed, ${s.skipped.length} skipped`,
      ...fetched.map((f) => `  ok      ${f.url}  ${f.issuer}${f.stored ? '' : ' (no newer than the stored one)'}`),
      ...s.failed.map((f) => `  failed  ${f.url}: ${f.reason}`),
      ...s.skipped.map((f) => `  skipped ${f.url}: ${f.reason}`),
    ].join('\n');
    deps.output().print(human, { fetched, failed: s.failed, skipped: s.skipped });
  });
}

/** Adds the `certs` command group to the program. */
export function registerCertsCommands(program: Command, deps: CertsCliDeps): void {
  const certs = program.command('certs').description('S/MIME certificates, trust anchors, CRLs and private keys');
  certs
    .command('import <file>')
    .description('import certificate(s): PEM, DER, PKCS#7 (.p7b) or PKCS#12 (.p12/.pfx, with its private key)')
    .option('--password <password>', 'password of a PKCS#12 file or an encrypted PEM key')
    .option('--password-file <file>', 'read the password from a file (first line)')
    .action(async (file: string, opts: { password?: string; passwordFile?: string }) => importFile(deps, file, { ...opts, trust: false }));
  certs
    .command('trust <file>')
    .description('add the certificate(s) of a PEM/DER/PKCS#7 file as trust anchors (roots)')
    .action(async (file: string) => importFile(deps, file, { trust: true }));
  certs
    .command('list')
    .description('all certificates: subject, emails, issuer, validity, status, has-key')
    .action(async () => list(deps));
  certs
    .command('crl [file]')
    .description('import a CRL (PEM "X509 CRL" or DER), or --refresh: fetch the CRLs of all stored certificates now')
    .option('--refresh', 'fetch from the distribution points (http only)')
    .action(async (file: string | undefined, opts: { refresh?: boolean }) => crl(deps, file, Boolean(opts.refresh)));
}
