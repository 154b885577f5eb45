/**
 * unwrap/ — inbound OpenPGP: decrypt PGP/MIME (RFC 3156 §4) and PGP/INLINE with hosted secret
 * keys, verify signatures (combined sign+encrypt, PGP/MIME multipart/signed over exact bytes,
 * inline cleartext), say what happened in X-Sealpost-Action / X-Sealpost-Signature (DESIGN §5),
 * and deliver the inner entity under the original outer headers (DESIGN §1). Mirrors
 * smime-unwrap.ts: same headers, same verdicts, same failure rules.
 *
 * SECURITY: EFAIL-safe — only a message whose root is the encryption is decrypted (a
 * multipart/encrypted root, or a text/plain root whose whole body is one armored block), and the
 * result replaces the whole body; data without integrity protection (SED, stripped or wrong MDC)
 * is refused by the facade. Every decryption failure is the same verdict (`failed-to-decrypt`,
 * delivered as received under the default Plain Text Policy); a PGP/MIME result that is not a
 * MIME entity counts as a failure. Mail encrypted only to keys we do not hold passes tagged
 * `delivered`. Only keys of the recipients (or their domain key) are tried. Detached and
 * cleartext signatures are kept for the client to verify too. Signer keys are learnt only
 * through Autocrypt from valid signatures, never trusted by that.
 * STANDARDS: RFC 3156, RFC 4880 §7 (cleartext signatures), RFC 9580.
 */
import { decryptMessage, hasValidUserId, readKeyBlocks, readPgpInline, splitPgpMimeEncrypted, splitPgpMimeSigned, verifyCleartext, verifyDetached, type PgpPrivateKey, type PgpPublicKey, type SignatureCheck } from '../crypto/pgp/index.js';
import type { Branch, MessageContext } from '../mail/context.js';
import { outcome, type Outcome } from '../mail/outcome.js';
import type { Step } from '../mail/step.js';
import { MessageDraft } from '../mime/draft.js';
import type { PgpKeyRecord } from '../pgp/types.js';
import { ACTION_HEADER, entityOf, isMimeEntity, SIGNATURE_HEADER, withDecryptedEntity } from './entity.js';

export interface PgpUnwrapDeps {
  /** hosted secret keys that may decrypt mail for these recipients (their own and their domain's) */
  decryptionKeys(addresses: readonly string[]): Promise<PgpPrivateKey[]>;
  /** stored keys with these key ids, and whether each counts as trusted */
  verificationKeys(keyIds: readonly string[]): Promise<{ key: PgpPublicKey; record: PgpKeyRecord; trusted: boolean }[]>;
  readonly maxDecompressedBytes?: number;
  /**
   * Autocrypt (config pgp.autocrypt.learn): called with the key of the message's Autocrypt header
   * when a signature of this message verified with that very key and the header's addr is the
   * From address; absent = Autocrypt headers are ignored.
   */
  learnAutocrypt?(address: string, key: PgpPublicKey, messageId: string): Promise<void>;
  readonly now?: () => number;
}

/** A decrypted PGP/INLINE text as a text/plain entity (8bit when it is safe, else base64). */
function textEntity(content: Buffer, charset: string): Buffer {
  const safe = !content.includes(0) && content.toString('latin1').split('\n').every((l) => l.length < 990);
  const cs = /^[a-z0-9._-]+$/i.test(charset) && charset !== 'us-ascii' ? charset : 'utf-8';
  const body = safe ? content.toString('latin1').replace(/\r?\n/g, '\r\n') : (content.toString('base64').match(/.{1,76}/g) ?? []).join('\r\n');
  return Buffer.from(`Content-Type: text/plain; charset=${cs}\r\nContent-Transfer-Encoding: ${safe ? '8bit' : 'base64'}\r\n\r\n${body}${body.endsWith('\r\n') ? '' : '\r\n'}`, 'latin1');
}

/** The inline-signed (cleartext) case is not a classify fact: look at the root entity. */
function isInlineSigned(draft: MessageDraft): boolean {
  return draft.body.length < 64 * 1024 * 1024 && /-----BEGIN PGP SIGNED MESSAGE-----/.test(draft.body.subarray(0, 64 * 1024).toString('latin1')) && readPgpInline(entityOf(draft))?.kind === 'signed';
}

export function pgpUnwrapStep(deps: PgpUnwrapDeps): Step {
  const now = deps.now ?? Date.now;
  return {
    name: 'pgp-unwrap',
    securityCritical: true,
    match: (msg, branch) => (msg.facts.encrypted === 'pgp' || msg.facts.signed === 'pgp' || (!msg.facts.encrypted && !msg.facts.signed && isInlineSigned(branch.draft)) ? branch.recipients : []),
    action: async (msg, branch) => unwrap(msg, branch, deps, now),
  };
}

const MAX_LAYERS = 4;

interface Verdict {
  readonly header: string;
  /** the key a good signature verified with */
  readonly fingerprint: string | null;
}

interface Signer {
  readonly emails: readonly string[];
  readonly trusted: boolean;
}

const AUTOCRYPT_MAX = 64 * 1024;

/**
 * The key of the single Autocrypt header (autocrypt.org level 1 §2.1) whose addr is the one From
 * address, with a valid user ID for it; null otherwise (several headers, unknown critical
 * attributes, bad key data).
 */
async function autocryptKey(draft: MessageDraft, now: number): Promise<{ address: string; key: PgpPublicKey; fingerprint: string } | null> {
  const headers = draft.getAll('Autocrypt');
  if (headers.length !== 1 || headers[0]!.length > AUTOCRYPT_MAX) return null;
  const from = [...(draft.get('From') ?? '').matchAll(ADDRESS)].map((m) => m[0].toLowerCase());
  if (from.length !== 1) return null;
  const attrs = new Map<string, string>();
  for (const part of headers[0]!.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) return null;
    const name = part.slice(0, eq).trim().toLowerCase();
    if (!['addr', 'prefer-encrypt', 'keydata'].includes(name) && !name.startsWith('_')) return null;
    attrs.set(name, part.slice(eq + 1).trim());
  }
  const address = attrs.get('addr')?.toLowerCase();
  const keydata = attrs.get('keydata')?.replace(/\s+/g, '');
  if (!address || address !== from[0] || !keydata) return null;
  try {
    const keys = await readKeyBlocks(Buffer.from(keydata, 'base64'));
    const key = keys.length === 1 && !keys[0]!.isPrivate() ? keys[0]!.toPublic() : null;
    if (!key || key.keyPacket.version !== 4 || !(await hasValidUserId(key, address, now))) return null;
    return { address, key, fingerprint: key.getFingerprint().toLowerCase() };
  } catch {
    return null;
  }
}

async function unwrap(msg: MessageContext, branch: Branch, deps: PgpUnwrapDeps, now: () => number): Promise<Outcome> {
  const addresses = branch.recipients.map((r) => r.address);
  const known = new Map<string, Signer>();
  const autocrypt = deps.learnAutocrypt ? await autocryptKey(branch.draft, now()) : null;
  const lookup = async (keyIds: readonly string[]): Promise<PgpPublicKey[]> => {
    const found = await deps.verificationKeys(keyIds);
    for (const f of found) known.set(f.record.fingerprint, { emails: f.record.emails, trusted: f.trusted });
    const keys = found.map((f) => f.key);
    // first contact: a key we do not have, offered in the Autocrypt header — it can only ever
    // make the verdict `untrusted`, and is learnt (below) only when the signature verifies with it
    if (autocrypt && !found.some((f) => f.record.fingerprint === autocrypt.fingerprint) && autocrypt.key.getKeyIDs().some((id) => keyIds.includes(id.toHex().toLowerCase()))) {
      known.set(autocrypt.fingerprint, { emails: [autocrypt.address], trusted: false });
      keys.push(autocrypt.key);
    }
    return keys;
  };
  let draft = branch.draft;
  let decrypted = false;
  let verdict: Verdict | null = null;
  for (let layer = 0; layer < MAX_LAYERS; layer++) {
    const entity = entityOf(draft);
    const armored = splitPgpMimeEncrypted(entity);
    const inline = armored ? null : readPgpInline(entity);
    if (armored || inline?.kind === 'encrypted') {
      const keys = await deps.decryptionKeys(addresses);
      const result = await decryptMessage({ message: armored ?? inline!.text, decryptionKeys: keys, verificationKeys: lookup, ...(deps.maxDecompressedBytes ? { maxDecompressedBytes: deps.maxDecompressedBytes } : {}), now: now() });
      const inner = result.ok ? (armored ? result.content : textEntity(result.content, inline!.charset)) : null;
      if (!result.ok && result.reason === 'not-encrypted') {
        // a signed-only message armored as a PGP MESSAGE: delivered as received, no verdict claimed
        msg.trace.add('unwrap/pgp', 'not-encrypted', 'an OpenPGP message without encryption (signed only); delivered as received', addresses);
        return outcome.continue();
      }
      if (!result.ok || !inner || (armored && !isMimeEntity(inner))) {
        const action = !result.ok && result.reason === 'not-for-us' ? 'delivered' : 'failed-to-decrypt';
        const why = action === 'delivered' ? 'encrypted only to keys we do not hold' : !result.ok && result.reason === 'no-integrity' ? 'refused: no integrity protection (SED / missing MDC)' : 'could not be decrypted';
        msg.trace.add('unwrap/pgp', action, why, addresses);
        return outcome.continue(branch.draft.prepend(ACTION_HEADER, action));
      }
      draft = withDecryptedEntity(draft, inner);
      decrypted = true;
      msg.trace.add('unwrap/pgp', 'decrypted', `${armored ? 'PGP/MIME' : 'PGP/INLINE'}, SEIPD v${result.seipdVersion}`, addresses);
      if (result.signatures.length > 0) {
        verdict = judge(result.signatures, known, draft);
        msg.trace.add('unwrap/pgp', 'signature', verdict.header, addresses);
      }
      continue;
    }
    const signed = splitPgpMimeSigned(entity);
    if (signed) {
      const checks = await verifyDetached(signed.signedContent, signed.signature, lookup, now());
      verdict = checks ? judge(checks, known, draft) : { header: 'invalid', fingerprint: null };
      msg.trace.add('unwrap/pgp', 'signature', verdict.header, addresses);
      break;
    }
    if (inline?.kind === 'signed') {
      const r = await verifyCleartext(inline.text, lookup, now());
      verdict = r ? judge(r.signatures, known, draft) : { header: 'invalid', fingerprint: null };
      msg.trace.add('unwrap/pgp', 'signature', verdict.header, addresses);
    } else if (layer === 0 && msg.facts.encrypted === 'pgp') {
      // classify saw OpenPGP data, but not as the root of the message (armor inside other text or
      // parts, a malformed multipart/encrypted): never decrypted there (EFAIL), and said so
      msg.trace.add('unwrap/pgp', 'failed-to-decrypt', 'OpenPGP data that is not the whole message body is not decrypted', addresses);
      return outcome.continue(branch.draft.prepend(ACTION_HEADER, 'failed-to-decrypt'));
    }
    break;
  }
  let out = draft;
  if (verdict) out = out.prepend(SIGNATURE_HEADER, verdict.header);
  else if (decrypted) out = out.prepend(SIGNATURE_HEADER, 'none');
  if (decrypted) out = out.prepend(ACTION_HEADER, 'decrypted');
  if (autocrypt && verdict?.fingerprint === autocrypt.fingerprint && deps.learnAutocrypt) {
    await deps.learnAutocrypt(autocrypt.address, autocrypt.key, branch.draft.get('Message-ID') ?? msg.id);
    msg.trace.add('unwrap/pgp', 'autocrypt', `learnt key ${autocrypt.fingerprint} of ${autocrypt.address} from the Autocrypt header (signature verified with it)`, addresses);
  }
  return outcome.continue(out);
}

const ADDRESS = /[^\s<>,;:"()]+@[^\s<>,;:"()]+/g;

/**
 * One verdict for a set of signatures: any bad one → invalid; a good one by a trusted key →
 * valid; good by an untrusted key, or by a key we do not have → untrusted. signer = the key's
 * address that matches From, else its first address.
 */
function judge(checks: readonly SignatureCheck[], known: ReadonlyMap<string, Signer>, draft: MessageDraft): Verdict {
  if (checks.length === 0 || checks.some((c) => c.status === 'invalid')) return { header: 'invalid', fingerprint: null };
  const from = new Set([...(draft.get('From') ?? '').matchAll(ADDRESS)].map((m) => m[0].toLowerCase()));
  const good = checks.filter((c) => c.status === 'valid' && c.fingerprint && known.has(c.fingerprint)).map((c) => ({ fingerprint: c.fingerprint!, ...known.get(c.fingerprint!)! }));
  const best = good.find((k) => k.trusted) ?? good[0];
  if (!best) return { header: 'untrusted', fingerprint: null };
  const email = best.emails.find((e) => from.has(e)) ?? best.emails[0];
  const signer = email ? `; signer=${email}` : '';
  return { header: `${best.trusted ? 'valid' : 'untrusted'}${signer}`, fingerprint: best.fingerprint };
}
