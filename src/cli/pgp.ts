/**
 * `sealpost pgp import|list|generate|export|trust|delete|lookups` (DESIGN §3): the OpenPGP
 * keyring, changed through the store so a running gateway sees the change with its next message.
 *
 * import FILE [--passphrase-file F]: armored (one or several blocks) or binary keys, public and
 *   secret; secret keys are unlocked and stored wrapped under the master key. Imported keys are
 *   administrator-trusted (a pending key becomes trusted by importing it).
 * list: fingerprint (= id), user IDs, algorithm, created/expires, status (trusted, learnt,
 *   pending, expired, revoked, unusable), hasSecret, source; JSON: an array of objects with `id`.
 * generate EMAIL [--type curve25519|rsa3072|rsa4096] [--expires 2y] [--out FILE]: a key pair for an
 *   internal user; generate DOMAIN --domain: a domain key (add its fingerprint to pgp.domains).
 *   Addresses and domains outside internalDomains are refused (a hosted key signs as its address)
 *   unless --external (labs, benchmarks).
 * export ID|EMAIL: the armored public key(s). trust ID: mark a key administrator-trusted.
 * delete ID: remove a key (and its secret key). lookups [EMAIL]: the key-discovery audit log.
 * Exit codes: 0 done, 1 a bad file, passphrase or argument, 2 an internal error.
 * SECURITY: passphrases only from a file (never argv); secret keys are never printed or exported.
 */
import { writeFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { Command } from 'commander';
import { loadConfigFile } from '../config/load.js';
import { parseDuration } from '../config/units.js';
import { armorKey, describeKey, readBinaryKey } from '../crypto/pgp/index.js';
import { openDatabase } from '../db/open.js';
import { createStores, type Stores } from '../db/stores.js';
import { SealpostError } from '../errors/index.js';
import { loadOrCreateSecret } from '../keystore/gateway-secrets.js';
import { KeyWrapper } from '../keystore/key-wrap.js';
import { PgpKeyring } from '../pgp/keyring.js';
import type { PgpKeyRecord } from '../pgp/types.js';
import { isoOrNull, readInput } from './input.js';
import type { Output } from './output.js';

export interface PgpCliDeps {
  readonly output: () => Output;
  readonly configFile: () => string;
}


async function withKeyring(deps: PgpCliDeps, keys: boolean, fn: (keyring: PgpKeyring, stores: Stores) => Promise<void>): Promise<void> {
  const { config, baseDir } = loadConfigFile(deps.configFile());
  const path = (p: string) => (isAbsolute(p) ? p : resolve(baseDir, p));
  const wrapper = keys ? new KeyWrapper(loadOrCreateSecret(path(config.secrets.masterKeyFile)).secret) : null;
  const postgres = { poolSize: 2, connectTimeoutMs: config.storage.connectTimeout, queryTimeoutMs: config.storage.queryTimeout, applicationName: 'sealpost cli' };
  const stores = createStores(await openDatabase(config.storage.url, { baseDir, postgres }));
  try {
    await fn(new PgpKeyring(stores.pgp.keys, wrapper), stores);
  } finally {
    await stores.close();
  }
}

/** A key named by fingerprint (spaces/colons allowed), a unique fingerprint suffix of 16+ digits, or an address. */
async function findKeys(keyring: PgpKeyring, ref: string): Promise<PgpKeyRecord[]> {
  if (ref.includes('@')) return keyring.store.byEmail(ref);
  const hex = ref.replace(/[\s:]/g, '').toLowerCase().replace(/^0x/, '');
  if (!/^[0-9a-f]{16,64}$/.test(hex)) throw new SealpostError('SP_ERR_CLI_USAGE', `"${ref}" is neither a fingerprint, a key id nor an address`, { id: ref });
  const exact = await keyring.store.get(hex);
  if (exact) return [exact];
  return (await keyring.store.list()).filter((k) => k.fingerprint.endsWith(hex));
}

async function findOne(keyring: PgpKeyring, ref: string): Promise<PgpKeyRecord> {
  const found = await findKeys(keyring, ref);
  if (found.length === 0) throw new SealpostError('SP_ERR_STORE_NOT_FOUND', `no OpenPGP key ${ref} in the keyring`, { id: ref });
  if (found.length > 1) throw new SealpostError('SP_ERR_CLI_USAGE', `${ref} names ${found.length} keys; give the fingerprint`, { id: ref });
  return found[0]!;
}

async function importFile(deps: PgpCliDeps, file: string, opts: { passphraseFile?: string }): Promise<void> {
  const passphrase = opts.passphraseFile !== undefined ? readInput(opts.passphraseFile, 'passphrase file').toString('utf8').replace(/\r?\n$/, '') : undefined;
  const bytes = readInput(file);
  await withKeyring(deps, true, async (keyring) => {
    let imported;
    try {
      imported = await keyring.import(bytes, { source: 'import', trust: 'trusted', forceTrust: true, ...(passphrase === undefined ? {} : { passphrase }) });
    } catch (err) {
      if (err instanceof SealpostError && err.code === 'SP_ERR_CLI_USAGE') throw new SealpostError('SP_ERR_CLI_USAGE', `${file}: ${err.cause instanceof Error ? err.cause.message : err.message}`, { path: file }, { cause: err });
      throw err;
    }
    const rows = imported.map((k) => ({ id: k.record.fingerprint, userIds: k.record.userIds, algorithm: k.record.algorithm, created: k.created, secret: k.secret, canEncrypt: k.info.canEncrypt }));
    const lines = rows.map((k) => `  ${k.id}  ${k.userIds.join(', ') || '(no user ID)'}  ${k.algorithm}${k.created ? '' : '  (updated)'}${k.secret ? '  [secret key]' : ''}${k.canEncrypt ? '' : '  [cannot encrypt now]'}`);
    const secrets = rows.filter((r) => r.secret).length;
    deps.output().print(`imported ${rows.length} key(s) from ${file}${secrets ? `, ${secrets} secret key(s) stored encrypted` : ''}\n${lines.join('\n')}`, { file, keys: rows });
  });
}

type KeyStatus = 'trusted' | 'learnt' | 'pending' | 'expired' | 'revoked' | 'unusable';

async function listRows(keyring: PgpKeyring, records: readonly PgpKeyRecord[]) {
  const now = Date.now();
  const rows = [];
  for (const r of records) {
    const info = await describeKey(await keyring.publicKey(r), now);
    const status: KeyStatus = info.revoked ? 'revoked' : info.expired ? 'expired' : !info.valid || !info.canEncrypt ? 'unusable' : r.trust;
    rows.push({ id: r.fingerprint, keyId: r.keyId, userIds: r.userIds, emails: r.emails, algorithm: r.algorithm, created: isoOrNull(r.keyCreatedAt), expires: isoOrNull(r.expiresAt), status, trust: r.trust, canEncrypt: info.canEncrypt, hasSecret: r.hasSecret, source: r.source, seipdv2: info.seipdv2, addedAt: isoOrNull(r.addedAt) });
  }
  return rows;
}

async function list(deps: PgpCliDeps): Promise<void> {
  await withKeyring(deps, false, async (keyring) => {
    const rows = await listRows(keyring, await keyring.store.list());
    const human =
      rows.length === 0
        ? 'no OpenPGP keys (import some with `sealpost pgp import FILE`, or `sealpost pgp generate EMAIL`)'
        : rows.map((k) => `${k.id}  ${k.status.padEnd(8)} ${k.hasSecret ? 'sec' : 'pub'}  ${k.userIds.join(', ') || '(no user ID)'}\n    ${k.algorithm}; created ${k.created}; expires ${k.expires ?? 'never'}; source ${k.source}`).join('\n');
    deps.output().print(human, rows);
  });
}

async function generate(deps: PgpCliDeps, who: string, opts: { domain?: boolean; type?: string; expires?: string; out?: string; external?: boolean }): Promise<void> {
  const type = opts.type ?? 'curve25519';
  if (type !== 'curve25519' && type !== 'rsa3072' && type !== 'rsa4096') throw new SealpostError('SP_ERR_CLI_USAGE', `--type must be curve25519, rsa3072 or rsa4096, not ${type}`, {});
  let expiresInSeconds = 0;
  if (opts.expires !== undefined) {
    const ms = parseDuration(opts.expires.replace(/(\d+)y$/, (_m, n: string) => `${Number(n) * 365}d`));
    if (ms === null || ms <= 0) throw new SealpostError('SP_ERR_CLI_USAGE', `--expires: expected a duration like 365d or 2y, not ${opts.expires}`, {});
    expiresInSeconds = Math.round(ms / 1000);
  }
  if (opts.domain ? !/^([a-z0-9-]+\.)+[a-z0-9-]+$/i.test(who) : !/^[^\s@<>]+@[^\s@<>]+$/.test(who)) {
    throw new SealpostError('SP_ERR_CLI_USAGE', opts.domain ? `expected a domain like example.com, not ${who}` : `expected an e-mail address, not ${who} (a domain key needs --domain)`, {});
  }
  const { config } = loadConfigFile(deps.configFile());
  const domain = (opts.domain ? who : who.slice(who.lastIndexOf('@') + 1)).toLowerCase();
  const internal = config.internalDomains.some((d) => (d.startsWith('*.') ? domain.endsWith(d.slice(1)) : domain === d));
  // a hosted key signs as its address: only for our own users and domains (DESIGN §3)
  if (!internal && !opts.external) throw new SealpostError('SP_ERR_CLI_USAGE', `${domain} is not one of internalDomains; keys are generated for internal users and domains (--external for labs and tests)`, {});
  await withKeyring(deps, true, async (keyring) => {
    const g = await keyring.generate(opts.domain ? { name: `${who.toLowerCase()} domain key (Sealpost)`, type, expiresInSeconds } : { email: who.toLowerCase(), type, expiresInSeconds });
    if (opts.out) writeFileSync(opts.out, g.armoredPublicKey);
    const hint = opts.domain ? `\nadd it to sealpost.yaml: pgp: { domains: [ { domain: ${who.toLowerCase()}, keys: ["${g.record.fingerprint}"] } ] }` : '';
    deps.output().print(`generated ${g.record.algorithm} key ${g.record.fingerprint} for ${who}${opts.out ? `; public key written to ${opts.out}` : ''}${hint}`, { id: g.record.fingerprint, userIds: g.record.userIds, algorithm: g.record.algorithm, expires: isoOrNull(g.record.expiresAt), publicKey: g.armoredPublicKey, ...(opts.out ? { file: opts.out } : {}) });
  });
}

async function exportKeys(deps: PgpCliDeps, ref: string): Promise<void> {
  await withKeyring(deps, false, async (keyring) => {
    const found = await findKeys(keyring, ref);
    if (found.length === 0) throw new SealpostError('SP_ERR_STORE_NOT_FOUND', `no OpenPGP key ${ref} in the keyring`, { id: ref });
    const armored = [];
    for (const r of found) armored.push({ id: r.fingerprint, publicKey: armorKey(await readBinaryKey(r.publicKey)) });
    const out = deps.output();
    if (out.json) out.print('', armored);
    else process.stdout.write(armored.map((a) => a.publicKey).join('\n'));
  });
}

async function trust(deps: PgpCliDeps, ref: string): Promise<void> {
  await withKeyring(deps, false, async (keyring) => {
    const r = await findOne(keyring, ref);
    await keyring.store.setTrust(r.fingerprint, 'trusted');
    deps.output().print(`${r.fingerprint} (${r.userIds.join(', ')}) is now administrator-trusted (was ${r.trust})`, { id: r.fingerprint, trust: 'trusted', previous: r.trust });
  });
}

async function remove(deps: PgpCliDeps, ref: string): Promise<void> {
  await withKeyring(deps, false, async (keyring) => {
    const r = await findOne(keyring, ref);
    await keyring.store.remove(r.fingerprint);
    deps.output().print(`deleted ${r.fingerprint} (${r.userIds.join(', ')})${r.hasSecret ? ' with its secret key' : ''}`, { id: r.fingerprint, deleted: true, hadSecret: r.hasSecret });
  });
}

async function lookups(deps: PgpCliDeps, address: string | undefined): Promise<void> {
  await withKeyring(deps, false, async (_keyring, stores) => {
    const rows = (await stores.pgp.lookups.audits(address, 200)).map((a) => ({ ...a, at: isoOrNull(a.at) }));
    deps.output().print(rows.length === 0 ? 'no key lookups recorded' : rows.map((a) => `${a.at}  ${a.address}  ${a.method.padEnd(12)} ${a.outcome.padEnd(9)} ${a.fingerprints.join(',')}  ${a.url}${a.detail ? `  (${a.detail})` : ''}`).join('\n'), rows);
  });
}

/** Adds the `pgp` command group to the program. */
export function registerPgpCommands(program: Command, deps: PgpCliDeps): void {
  const pgp = program.command('pgp').description('OpenPGP keyring: public keys of recipients, hosted secret keys, domain keys');
  pgp
    .command('import <file>')
    .description('import OpenPGP keys: armored (one or several blocks) or binary, public and secret')
    .option('--passphrase-file <file>', 'passphrase of protected secret keys (first line)')
    .action(async (file: string, opts: { passphraseFile?: string }) => importFile(deps, file, opts));
  pgp.command('list').description('every key: fingerprint, user IDs, algorithm, validity, status, secret key held').action(async () => list(deps));
  pgp
    .command('generate <email>')
    .description('generate a key pair for an internal user (or, with --domain, a domain key) and keep the secret key')
    .option('--domain', 'the argument is a domain: generate a domain key')
    .option('--type <type>', 'curve25519 (default), rsa3072 or rsa4096')
    .option('--expires <duration>', 'e.g. 365d or 2y (default: never)')
    .option('--out <file>', 'write the armored public key to this file')
    .option('--external', 'allow an address or domain outside internalDomains (labs, benchmarks)')
    .action(async (who: string, opts: { domain?: boolean; type?: string; expires?: string; out?: string; external?: boolean }) => generate(deps, who, opts));
  pgp.command('export <key>').description('print the armored public key(s) of a fingerprint or address').action(async (ref: string) => exportKeys(deps, ref));
  pgp.command('trust <key>').description('mark a key (e.g. a pending or learnt one) as administrator-trusted').action(async (ref: string) => trust(deps, ref));
  pgp.command('delete <key>').description('remove a key and its secret key').action(async (ref: string) => remove(deps, ref));
  pgp.command('lookups [email]').description('the key-discovery audit log (WKD, HKP, Autocrypt), newest first').action(async (address: string | undefined) => lookups(deps, address));
}
