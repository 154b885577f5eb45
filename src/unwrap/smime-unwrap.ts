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
import type { RevocationMode } from '../pki/types.js';
import type { ValidationResult } from '../pki/types.js';

export const ACTION_HEADER = 'X-Sealpost-Action';
export const SIGNATURE_HEADER = 'X-Sealpost-Signature';

export interface UnwrapDeps {
  /** hosted decryption keys for these recipients (their own certificates and domain certificates) */
  decryptionKeys(addresses: readonly string[]): Promise<{ certificate: Buffer; privateKey: KeyObject }[]>;
  validateSigner(der: Buffer, intermediates: readonly Buffer[], now: number): Promise<Pick<ValidationResult, 'status' | 'reason'> & { email: string | null }>;
  learn(certificates: readonly Buffer[]): Promise<unknown>;
  readonly revocation?: RevocationMode;
  readonly now?: () => number;
}

const isContentField = (name: string) => /^content-/i.test(name);

/** The top-level entity: Content-* fields and the body. */
function entityOf(draft: MessageDraft): Buffer {
  return Buffer.concat([draft.filter((f) => isContentField(f.name)).headerBytes(), Buffer.from('\r\n'), draft.body]);
}

/** Outer (routing) fields of `draft` + the new entity. */
function withEntity(draft: MessageDraft, entity: Buffer): MessageDraft {
  return MessageDraft.parse(Buffer.concat([draft.filter((f) => !isContentField(f.name)).headerBytes(), entity]));
}

/** A decryption result must itself be a MIME entity: a header block with fields, then a body. */
function isMimeEntity(bytes: Buffer): boolean {
  const draft = MessageDraft.parse(bytes);
  return draft.fields.length > 0 && draft.fields.every((f) => f.name !== '' && /^[\x21-\x39\x3b-\x7e]+$/.test(f.name)) && draft.has('Content-Type');
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

async function unwrap(msg: MessageContext, branch: Branch, deps: UnwrapDeps, now: () => number): Promise<Outcome> {
  const addresses = branch.recipients.map((r) => r.address);
  let draft = branch.draft;
  let decrypted = false;
  if (msg.facts.encrypted === 'smime') {
    const p7m = readPkcs7Mime(entityOf(draft));
    const keys = await deps.decryptionKeys(addresses);
    const result = p7m ? decryptEnveloped(p7m.der, keys) : ({ ok: false, reason: 'failed' } as const);
    if (result.ok && isMimeEntity(result.content)) {
      draft = withEntity(draft, result.content);
      decrypted = true;
      msg.trace.add('unwrap/smime', 'decrypted', result.cipher, addresses);
    } else {
      const action = !result.ok && result.reason === 'not-for-us' ? 'delivered' : 'failed-to-decrypt';
      msg.trace.add('unwrap/smime', action, action === 'delivered' ? 'encrypted only to keys we do not hold' : 'could not be decrypted', addresses);
      return outcome.continue(branch.draft.prepend(ACTION_HEADER, action));
    }
  }
  const signature = await verifyTop(draft, deps, now());
  if (signature) {
    draft = signature.draft;
    msg.trace.add('unwrap/smime', 'signature', signature.header, addresses);
  }
  let out = draft;
  if (signature) out = out.prepend(SIGNATURE_HEADER, signature.header);
  else if (decrypted) out = out.prepend(SIGNATURE_HEADER, 'none');
  if (decrypted) out = out.prepend(ACTION_HEADER, 'decrypted');
  return outcome.continue(out);
}

/** Verifies a top-level S/MIME signature (detached kept, opaque unwrapped); null when unsigned. */
async function verifyTop(draft: MessageDraft, deps: UnwrapDeps, now: number): Promise<{ draft: MessageDraft; header: string } | null> {
  const entity = entityOf(draft);
  const detached = splitMultipartSigned(entity);
  const opaque = detached ? null : readPkcs7Mime(entity);
  if (!detached && (!opaque || opaque.smimeType !== 'signed-data')) return null;
  const result = detached ? verifySignedData(detached.signature, detached.signedContent) : verifySignedData(opaque!.der);
  const next = opaque && result.status === 'valid' && result.content && isMimeEntity(result.content) ? withEntity(draft, result.content) : draft;
  if (result.status !== 'valid' || !result.signer) return { draft: next, header: 'invalid' };
  const trust = await deps.validateSigner(result.signer, result.certificates, now);
  const signer = trust.email ? `; signer=${trust.email}` : '';
  if (trust.status !== 'valid') return { draft: next, header: `untrusted${signer}` };
  await deps.learn(result.certificates);
  return { draft: next, header: `valid${signer}` };
}
