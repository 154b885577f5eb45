/**
 * The message's top-level entity and the splicing of a decrypted or verified entity back under
 * the outer routing fields — shared by the S/MIME and OpenPGP unwrap steps.
 * SECURITY: only the decrypted root is read for protected headers, so nothing from outside the
 * encryption is trusted; a decryption result must itself be a MIME entity (no splicing of
 * arbitrary bytes into the message, EFAIL).
 */
import { MessageDraft } from '../mime/draft.js';

export const ACTION_HEADER = 'X-Sealpost-Action';
export const SIGNATURE_HEADER = 'X-Sealpost-Signature';

export const isContentField = (name: string): boolean => /^content-/i.test(name);

/** Verdict and marker fields only the gateway writes (DESIGN §5). */
const STATUS_FIELD = /^x-sealpost-/i;

/** The top-level entity: Content-* fields and the body. */
export function entityOf(draft: MessageDraft): Buffer {
  return Buffer.concat([draft.filter((f) => isContentField(f.name)).headerBytes(), Buffer.from('\r\n'), draft.body]);
}

/** Outer (routing) fields of `draft` + the new entity. */
export function withEntity(draft: MessageDraft, entity: Buffer): MessageDraft {
  return MessageDraft.parse(Buffer.concat([draft.filter((f) => !isContentField(f.name)).headerBytes(), entity]));
}

/**
 * The decrypted entity under the outer routing fields. Protected headers (Thunderbird,
 * draft-ietf-lamps-header-protection): the entity's header block may carry copies of Subject,
 * From, To … while the outer Subject is a placeholder ("..."). Splicing the entity in as is would
 * duplicate those fields, so the inner Subject replaces the outer one and the other inner copies
 * of outer fields are dropped (the outer routing fields stay).
 */
export function withDecryptedEntity(draft: MessageDraft, entity: Buffer): MessageDraft {
  const inner = MessageDraft.parse(entity);
  if (inner.fields.every((f) => isContentField(f.name))) return withEntity(draft, entity);
  const outer = draft.filter((f) => !isContentField(f.name)).fields;
  const outerNames = new Set(outer.map((f) => f.name.toLowerCase()));
  const innerSubject = inner.fields.find((f) => f.name.toLowerCase() === 'subject');
  const fields = [
    ...outer.filter((f) => !(innerSubject && f.name.toLowerCase() === 'subject')),
    // our status headers are ours alone: a copy inside the encryption is the sender's forgery
    ...inner.fields.filter((f) => !STATUS_FIELD.test(f.name) && (isContentField(f.name) || f === innerSubject || (f.name !== '' && !outerNames.has(f.name.toLowerCase())))),
  ];
  return MessageDraft.parse(Buffer.concat([Buffer.from(fields.map((f) => f.raw).join(''), 'latin1'), Buffer.from('\r\n'), inner.body]));
}

/** A decryption result must itself be a MIME entity: a header block with fields, then a body. */
export function isMimeEntity(bytes: Buffer): boolean {
  const draft = MessageDraft.parse(bytes);
  return draft.fields.length > 0 && draft.fields.every((f) => f.name !== '' && /^[\x21-\x39\x3b-\x7e]+$/.test(f.name)) && draft.has('Content-Type');
}
