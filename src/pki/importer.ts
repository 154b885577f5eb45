/**
 * pki/importer — `certs import` and `certs trust`: certificates (and private keys) from a file
 * into the stores.
 *
 * All-or-nothing per file as far as checking goes: every certificate is parsed and every key is
 * matched to a certificate of the same file (by public key) before anything is written, so a
 * bad file leaves the stores untouched. Certificates are stored as they are, trusted or not
 * (an untrusted certificate is harmless: validation decides whether it is ever used); `trust`
 * additionally marks every certificate of the file as a trust anchor.
 * SECURITY: keys are wrapped under the master key before they reach the store
 * (keystore/private-keys.ts); a key that belongs to no certificate in the file is refused.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { SealpostError } from '../errors/index.js';
import type { PrivateKeyVault } from '../keystore/private-keys.js';
import { CertificateParseError, parseCertificate, spkiOf, type ParsedCertificate } from './certificate.js';
import { decodeCertificateFile, DecodeError, type BundleKind } from './decode.js';
import type { CertificateRecord, CertificateSource, PkiStores } from './types.js';

export interface ImportOptions {
  readonly password?: string;
  /** mark every certificate of the file as a trust anchor (`certs trust`) */
  readonly trust?: boolean;
  /** shown in errors (the file name) */
  readonly name?: string;
}

export interface ImportResult {
  readonly kind: BundleKind;
  readonly certificates: ReadonlyArray<{ readonly record: CertificateRecord; readonly created: boolean; readonly trusted: boolean }>;
  /** ids of the certificates a private key was stored for */
  readonly keys: readonly string[];
}

/** What the importer needs from parsing, as a NewCertificate for the store. */
export function newCertificate(c: ParsedCertificate, source: CertificateSource) {
  return { id: c.id, der: c.der, subject: c.subject, issuer: c.issuer, subjectKey: c.subjectKey, issuerKey: c.issuerKey, serial: c.serial, subjectKeyId: c.subjectKeyId, authorityKeyId: c.authorityKeyId, notBefore: c.notBefore, notAfter: c.notAfter, isCa: c.isCa, emails: c.emails, crlUrls: c.crlUrls, source };
}

function usage(name: string, detail: string): SealpostError {
  return new SealpostError('SP_ERR_CLI_USAGE', `${name}: ${detail}`, { path: name });
}

export class CertificateImporter {
  constructor(
    private readonly stores: PkiStores,
    private readonly vault: PrivateKeyVault | null,
  ) {}

  async import(bytes: Buffer, opts: ImportOptions = {}): Promise<ImportResult> {
    const name = opts.name ?? 'input';
    let decoded;
    try {
      decoded = decodeCertificateFile(bytes, opts.password);
    } catch (err) {
      if (err instanceof DecodeError) throw usage(name, err.message);
      throw err;
    }
    const parsed: ParsedCertificate[] = [];
    for (const [i, der] of decoded.certificates.entries()) {
      try {
        parsed.push(parseCertificate(der));
      } catch (err) {
        if (err instanceof CertificateParseError) throw usage(name, `certificate ${i + 1}: ${err.message}`);
        throw err;
      }
    }
    if (parsed.length === 0) throw usage(name, 'the file holds no certificate');
    if (opts.trust && decoded.keys.length > 0) throw usage(name, 'certs trust takes certificates only; import keys with certs import');
    const pairs = this.#matchKeys(name, parsed, decoded.keys);
    if (pairs.length > 0 && !this.vault) throw usage(name, 'the file holds a private key but no master key is available to wrap it');

    const source: CertificateSource = opts.trust ? 'trust' : decoded.kind === 'pkcs12' ? 'pkcs12' : 'import';
    const certificates: { record: CertificateRecord; created: boolean; trusted: boolean }[] = [];
    const seen = new Set<string>();
    for (const c of parsed) {
      if (seen.has(c.id)) continue;
      seen.add(c.id);
      const { record, created } = await this.stores.certificates.add(newCertificate(c, source));
      const trusted = opts.trust ? (await this.stores.roots.add(c.id), true) : await this.stores.roots.has(c.id);
      certificates.push({ record, created, trusted });
    }
    const keys: string[] = [];
    for (const { cert, key } of pairs) {
      await this.vault!.put(cert.id, key);
      keys.push(cert.id);
    }
    // re-read so hasPrivateKey reflects the keys just stored
    const fresh = await Promise.all(certificates.map(async (c) => ({ ...c, record: (await this.stores.certificates.get(c.record.id)) ?? c.record })));
    return { kind: decoded.kind, certificates: fresh, keys };
  }

  /**
   * Stores certificates seen in verified signed mail (DESIGN §1: certificates of verified
   * signers are learnt), source `learnt`. Unparsable ones are skipped; nothing becomes trusted
   * by being learnt — validation still needs a path to an anchor. Returns the ids stored anew.
   */
  async learn(ders: readonly Buffer[]): Promise<string[]> {
    const created: string[] = [];
    for (const der of ders) {
      let c: ParsedCertificate;
      try {
        c = parseCertificate(der);
      } catch (err) {
        if (err instanceof CertificateParseError) continue;
        throw err;
      }
      if ((await this.stores.certificates.add(newCertificate(c, 'learnt'))).created) created.push(c.id);
    }
    return created;
  }

  #matchKeys(name: string, certs: readonly ParsedCertificate[], keys: readonly KeyObject[]): { cert: ParsedCertificate; key: KeyObject }[] {
    const pairs: { cert: ParsedCertificate; key: KeyObject }[] = [];
    for (const key of keys) {
      const spki = createPublicKey(key).export({ format: 'der', type: 'spki' });
      const owners = certs.filter((c) => spkiOf(c).equals(spki));
      if (owners.length === 0) throw usage(name, 'a private key in the file belongs to none of its certificates');
      for (const cert of owners) if (!pairs.some((p) => p.cert.id === cert.id)) pairs.push({ cert, key });
    }
    return pairs;
  }
}
