/**
 * unwrap/ — inbound S/MIME: decrypt with hosted keys, verify signatures, say what happened in
 * X-Sealpost-Action / X-Sealpost-Signature (DESIGN §5), deliver the inner entity under the
 * original outer headers (DESIGN §1).
 *
 * SECURITY: EFAIL-safe — only a message whose root is the encryption is decrypted, and the
 * result replaces the whole body (nothing is spliced into surrounding parts). Every decryption
 * failure is the same verdict (`failed-to-decrypt`, delivered as received under the default Plain
 * Text Policy); a result that is not a MIME entity counts as a failure. Detached signatures are
 * kept for the client to verify too; opaque ones are unwrapped. Signers' certificates are learnt
 * only from valid signatures, never trusted by that.
 * STANDARDS: RFC 8551, RFC 5652.
 */
import type { KeyObject } from 'node:crypto';
import { decryptEnveloped, readPkcs7Mime, splitMultipartSigned, verifySignedData } from '../crypto/index.js';
import type { Branch, MessageContext } from '../mail/context.js';
import { outcome, type Outcome } from '../mail/outcome.js';
import type { Step } from '../mail/step.js';
import { MessageDraft } from '../mime/draft.js';
import { ACTION_HEADER, entityOf, isMimeEntity, SIGNATURE_HEADER, withDecryptedEntity, withEntity } from './entity.js';
import type { RevocationMode } from '../pki/types.js';
import type { ValidationResult } from '../pki/types.js';

export { ACTION_HEADER, SIGNATURE_HEADER } from './entity.js';

export interface UnwrapDeps {
  /** hosted decryption keys for these recipients (their own certificates and domain certificates) */
  decryptionKeys(addresses: readonly string[]): Promise<{ certificate: Buffer; privateKey: KeyObject }[]>;
  validateSigner(der: Buffer, intermediates: readonly Buffer[], now: number): Promise<Pick<ValidationResult, 'status' | 'reason'> & { email: string | null }>;
  learn(certificates: readonly Buffer[]): Promise<unknown>;
  readonly revocation?: RevocationMode;
  readonly now?: () => number;
}

export function smimeUnwrapStep(deps: UnwrapDeps): Step {
  const now = deps.now ?? Date.now;
  return {
    name: 'smime-unwrap',
    securityCritical: true,
    match: (msg, branch) => (msg.facts.encrypted === 'smime' || msg.facts.signed === 'smime' ? branch.recipients : []),
    action: async (msg, branch) => unwrap(msg, branch, deps, now),
  };
}

// sign → encrypt → sign (triple wrapping) is three layers; more is hostile or broken
const MAX_LAYERS = 4;

function isEnvelope(entity: Buffer): boolean {
  const p7m = readPkcs7Mime(entity);
  return p7m !== null && (p7m.smimeType === null || /enveloped-data$/i.test(p7m.smimeType));
}

async function unwrap(msg: MessageContext, branch: Branch, deps: UnwrapDeps, now: () => number): Promise<Outcome> {
  const addresses = branch.recipients.map((r) => r.address);
  let draft = branch.draft;
  let decrypted = false;
  let verdict: string | null = null;
  for (let layer = 0; layer < MAX_LAYERS; layer++) {
    const entity = entityOf(draft);
    if (isEnvelope(entity)) {
      // Only ever the whole entity at this layer: the root, or the sole content of a signature.
      const keys = await deps.decryptionKeys(addresses);
      const result = decryptEnveloped(readPkcs7Mime(entity)!.der, keys);
      if (!result.ok || !isMimeEntity(result.content)) {
        const action = !result.ok && result.reason === 'not-for-us' ? 'delivered' : 'failed-to-decrypt';
        msg.trace.add('unwrap/smime', action, action === 'delivered' ? 'encrypted only to keys we do not hold' : 'could not be decrypted', addresses);
        return outcome.continue(branch.draft.prepend(ACTION_HEADER, action));
      }
      draft = withDecryptedEntity(draft, result.content);
      decrypted = true;
      msg.trace.add('unwrap/smime', 'decrypted', result.cipher, addresses);
      continue;
    }
    const signature = await verifyTop(draft, deps, now());
    if (!signature) break;
    msg.trace.add('unwrap/smime', 'signature', signature.header, addresses);
    if (signature.content && isEnvelope(signature.content)) {
      // An outer signature over ciphertext (triple wrapping): it says who sent the envelope; the
      // verdict that reaches the reader is the one over the plaintext, if there is one inside.
      verdict ??= signature.header;
      draft = withEntity(draft, signature.content);
      continue;
    }
    verdict = signature.header;
    draft = signature.draft;
    if (!signature.unwrapped) break;
  }
  let out = draft;
  if (verdict) out = out.prepend(SIGNATURE_HEADER, verdict);
  else if (decrypted) out = out.prepend(SIGNATURE_HEADER, 'none');
  if (decrypted) out = out.prepend(ACTION_HEADER, 'decrypted');
  return outcome.continue(out);
}

interface SignatureLayer {
  readonly draft: MessageDraft;
  readonly header: string;
  /** the signed entity (detached: the first part; opaque: the encapsulated content) */
  readonly content: Buffer | null;
  /** an opaque signature was removed, so `draft` is the content */
  readonly unwrapped: boolean;
}

/** Verifies a top-level S/MIME signature (detached kept, opaque unwrapped); null when unsigned. */
async function verifyTop(draft: MessageDraft, deps: UnwrapDeps, now: number): Promise<SignatureLayer | null> {
  const entity = entityOf(draft);
  const detached = splitMultipartSigned(entity);
  const opaque = detached ? null : readPkcs7Mime(entity);
  if (!detached && (!opaque || opaque.smimeType !== 'signed-data')) return null;
  const result = detached ? verifySignedData(detached.signature, detached.signedContent) : verifySignedData(opaque!.der);
  const content = detached ? detached.signedContent : result.content;
  const unwrapped = opaque !== null && result.status === 'valid' && result.content !== null && isMimeEntity(result.content);
  const next = unwrapped ? withEntity(draft, result.content!) : draft;
  const layer = (header: string): SignatureLayer => ({ draft: next, header, content, unwrapped });
  if (result.status !== 'valid' || !result.signer) return layer('invalid');
  const trust = await deps.validateSigner(result.signer, result.certificates, now);
  const signer = trust.email ? `; signer=${trust.email}` : '';
  if (trust.status !== 'valid') return layer(`untrusted${signer}`);
  await deps.learn(result.certificates);
  return layer(`valid${signer}`);
}
