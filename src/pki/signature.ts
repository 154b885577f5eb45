/**
 * pki/signature — verifies the signature of a certificate or CRL with node:crypto.
 *
 * Accepted: RSA PKCS#1 v1.5 and RSASSA-PSS with SHA-256/384/512, ECDSA with SHA-256/384/512,
 * Ed25519/Ed448. Refused as weak: MD5 and SHA-1 (RFC 8550 §4.1 — an attacker can choose a
 * colliding SHA-1 certificate). A trust anchor's own self-signature is never checked (it is
 * trusted by configuration), so an old SHA-1 root still anchors SHA-256 chains.
 * The key type must match the algorithm: an RSA signature is never checked with an EC key.
 * SECURITY: a verification that throws (malformed signature, bad parameters) counts as invalid.
 * STANDARDS: RFC 4055 (PSS), RFC 5758 (ECDSA), RFC 8410 (EdDSA).
 */
import { constants, verify, type KeyObject } from 'node:crypto';
import * as pkijs from 'pkijs';
import { OID } from './oids.js';

export type SignatureCheck = { readonly ok: true } | { readonly ok: false; readonly reason: string };

const RSA_HASH: Readonly<Record<string, string>> = { [OID.sha256WithRsa]: 'sha256', [OID.sha384WithRsa]: 'sha384', [OID.sha512WithRsa]: 'sha512' };
const ECDSA_HASH: Readonly<Record<string, string>> = { [OID.ecdsaWithSha256]: 'sha256', [OID.ecdsaWithSha384]: 'sha384', [OID.ecdsaWithSha512]: 'sha512' };
const DIGEST: Readonly<Record<string, string>> = { [OID.sha256]: 'sha256', [OID.sha384]: 'sha384', [OID.sha512]: 'sha512' };
const WEAK = new Set<string>([OID.md5WithRsa, OID.sha1WithRsa, OID.ecdsaWithSha1]);

function pssParams(alg: pkijs.AlgorithmIdentifier): { hash: string; saltLength: number } | string {
  if (!alg.algorithmParams) return 'RSASSA-PSS without parameters means SHA-1';
  let params: pkijs.RSASSAPSSParams;
  try {
    params = new pkijs.RSASSAPSSParams({ schema: alg.algorithmParams });
  } catch {
    return 'malformed RSASSA-PSS parameters';
  }
  const hash = DIGEST[params.hashAlgorithm.algorithmId];
  if (!hash) return `RSASSA-PSS with digest ${params.hashAlgorithm.algorithmId} is not accepted`;
  const mgfHashParams = params.maskGenAlgorithm.algorithmParams as unknown;
  if (mgfHashParams) {
    try {
      const mgfHash = new pkijs.AlgorithmIdentifier({ schema: mgfHashParams });
      if (DIGEST[mgfHash.algorithmId] !== hash) return 'RSASSA-PSS with a different MGF1 digest is not accepted';
    } catch {
      return 'malformed RSASSA-PSS MGF parameters';
    }
  }
  return { hash, saltLength: params.saltLength };
}

/** Checks `signature` over `data` made with algorithm `alg` by the holder of `key`. */
export function verifySignature(alg: pkijs.AlgorithmIdentifier, data: Uint8Array, signature: Uint8Array, key: KeyObject): SignatureCheck {
  const oid = alg.algorithmId;
  if (WEAK.has(oid)) return { ok: false, reason: `weak signature algorithm ${oid} (MD5/SHA-1)` };
  const type = key.asymmetricKeyType;
  try {
    let good: boolean;
    if (RSA_HASH[oid]) {
      if (type !== 'rsa') return { ok: false, reason: `RSA signature but the issuer key is ${type}` };
      good = verify(RSA_HASH[oid]!, data, key, signature);
    } else if (oid === OID.rsassaPss) {
      if (type !== 'rsa' && type !== 'rsa-pss') return { ok: false, reason: `RSASSA-PSS signature but the issuer key is ${type}` };
      const p = pssParams(alg);
      if (typeof p === 'string') return { ok: false, reason: p };
      good = verify(p.hash, data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: p.saltLength }, signature);
    } else if (ECDSA_HASH[oid]) {
      if (type !== 'ec') return { ok: false, reason: `ECDSA signature but the issuer key is ${type}` };
      good = verify(ECDSA_HASH[oid]!, data, { key, dsaEncoding: 'der' }, signature);
    } else if (oid === OID.ed25519 || oid === OID.ed448) {
      if (type !== (oid === OID.ed25519 ? 'ed25519' : 'ed448')) return { ok: false, reason: `EdDSA signature but the issuer key is ${type}` };
      good = verify(null, data, key, signature);
    } else {
      return { ok: false, reason: `unsupported signature algorithm ${oid}` };
    }
    return good ? { ok: true } : { ok: false, reason: 'signature does not verify with the issuer key' };
  } catch (err) {
    return { ok: false, reason: `signature does not verify: ${err instanceof Error ? err.message : String(err)}` };
  }
}
