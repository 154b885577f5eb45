/**
 * The `pgp` protection method (RFC 3156): a recipient can be served when the keyring selects a
 * trusted, valid, encryption-capable key for them (or a domain key of their domain); protect()
 * encrypts the inner MIME entity, unchanged, for every recipient of the branch in one OpenPGP
 * message (SEIPD v1 with MDC unless every key announces SEIPDv2) and wraps it as PGP/MIME
 * multipart/encrypted under the original routing headers. With a signature (sign: auto and the
 * sender has a hosted key; sign: required holds otherwise) the message is signed and encrypted
 * in one (RFC 3156 §6.2), which gpg and Thunderbird verify on decryption.
 * PGP/INLINE (config `pgp.inline`) is used only when every recipient of the branch is listed and
 * the entity is a single text/plain part; anything else gets PGP/MIME.
 * SECURITY: fail closed — a recipient without a usable key at protect time throws (the step
 * defers, never sends plaintext); the plaintext entity never leaves this function.
 * STANDARDS: RFC 3156 §4, §6.2; RFC 4880 / RFC 9580; RFC 2045 (canonical CRLF).
 */
import { buildPgpMimeEncrypted, contentTypeOf, crlf, decodePartBody, encryptMessage, type PgpPrivateKey, type PgpPublicKey } from '../crypto/pgp/index.js';
import { toCanonicalCrlf } from '../crypto/index.js';
import type { Branch, MessageContext } from '../mail/context.js';
import type { EnvelopeRecipient } from '../mail/envelope.js';
import { outcome, type Outcome } from '../mail/outcome.js';
import { MessageDraft } from '../mime/draft.js';
import type { PgpSelector } from '../pgp/select.js';
import type { ProtectionMethod } from '../select/method.js';
import { splitEntity } from './smime-method.js';

export interface PgpMethodOptions {
  readonly selector: Pick<PgpSelector, 'encryptionKeysFor' | 'signingKeyFor'>;
  /** profile `sign` setting per profile name */
  readonly signMode: (profile: string) => 'auto' | 'required' | 'never';
  /** profile queueTimeout (ms): how long `sign: required` holds a message whose sender has no key */
  readonly queueTimeout?: (profile: string) => number | undefined;
  /** recipients that get PGP/INLINE (config pgp.inline) */
  readonly inline?: (address: string) => boolean;
  readonly now?: () => number;
}

/** Matches config `pgp.inline` entries: addresses, domains, *.domains. */
export function inlineMatcher(entries: readonly string[]): (address: string) => boolean {
  const list = entries.map((e) => e.toLowerCase());
  return (address) => {
    const a = address.toLowerCase();
    const domain = a.slice(a.lastIndexOf('@') + 1);
    return list.some((e) => (e.includes('@') ? e === a : e.startsWith('*.') ? domain.endsWith(e.slice(1)) : domain === e));
  };
}

/** The text of a single text/plain entity (decoded, as UTF-8), or null when the entity is anything else. */
function plainText(entity: Buffer): string | null {
  const draft = MessageDraft.parse(entity);
  const ct = contentTypeOf(draft) ?? { type: 'text/plain', params: {} as Record<string, string> };
  if (ct.type !== 'text/plain') return null;
  const body = decodePartBody(draft);
  if (!body) return null;
  try {
    return new TextDecoder(ct.params['charset'] ?? 'us-ascii', { fatal: true }).decode(body);
  } catch {
    return null;
  }
}

export function pgpMethod(options: PgpMethodOptions): ProtectionMethod {
  const now = options.now ?? Date.now;
  return {
    name: 'pgp',
    async canServe(recipient: EnvelopeRecipient): Promise<boolean> {
      if (recipient.direction !== 'outbound') return false;
      return (await options.selector.encryptionKeysFor(recipient.address, now())).canEncrypt;
    },
    async protect(msg: MessageContext, branch: Branch): Promise<Outcome> {
      const keys = new Map<string, PgpPublicKey>();
      for (const r of branch.recipients) {
        const selection = await options.selector.encryptionKeysFor(r.address, now(), { discover: false });
        if (!selection.canEncrypt) throw new Error(`no valid OpenPGP key for ${r.address} any more`);
        for (const k of selection.keys) keys.set(k.fingerprint, k.key);
      }
      const addresses = branch.recipients.map((r) => r.address);
      const { outer, entity } = splitEntity(branch.draft);
      const profileName = branch.facts.protection?.profile ?? 'default';
      const configured = options.signMode(profileName);
      const mode = branch.facts.signRequested && configured === 'never' ? 'auto' : configured;
      let signingKey: PgpPrivateKey | undefined;
      if (mode !== 'never') {
        const signer = await options.selector.signingKeyFor(msg.envelope.mailFrom, now());
        if (signer) {
          signingKey = signer.key;
          msg.trace.add('protect/pgp', 'signed', `signed with key ${signer.fingerprint}`, addresses);
        } else if (mode === 'required') {
          const why = `signing is required but ${msg.envelope.mailFrom || '<>'} has no hosted OpenPGP key`;
          const deadline = msg.receivedAt + (options.queueTimeout?.(profileName) ?? 86_400_000);
          msg.trace.add('protect/pgp', 'hold', why, addresses);
          if (now() >= deadline) return outcome.bounce(`could not be delivered securely: ${why}`, '5.7.10', 'encryption-failed');
          return outcome.defer(`held for signing: ${why}`, Math.min(deadline, now() + Math.min(15 * 60_000, Math.max(1000, (deadline - msg.receivedAt) / 8))));
        } else {
          msg.trace.add('protect/pgp', 'unsigned', `no hosted OpenPGP key for ${msg.envelope.mailFrom || '<>'}; sent unsigned`, addresses);
        }
      }
      const text = options.inline && branch.recipients.every((r) => options.inline!(r.address)) ? plainText(entity) : null;
      let protectedEntity: Buffer;
      let seipd: 1 | 2;
      if (text !== null) {
        const r = await encryptMessage({ content: Buffer.from(text, 'utf8'), encryptionKeys: [...keys.values()], ...(signingKey ? { signingKey } : {}), format: 'utf8', now: now() });
        protectedEntity = Buffer.from(`Content-Type: text/plain; charset=us-ascii\r\nContent-Transfer-Encoding: 7bit\r\n\r\n${crlf(r.armored)}\r\n`, 'latin1');
        seipd = r.seipdVersion;
      } else {
        const r = await encryptMessage({ content: toCanonicalCrlf(entity), encryptionKeys: [...keys.values()], ...(signingKey ? { signingKey } : {}), format: 'binary', now: now() });
        protectedEntity = buildPgpMimeEncrypted(r.armored);
        seipd = r.seipdVersion;
      }
      const draft = MessageDraft.parse(Buffer.concat([outer, Buffer.from('MIME-Version: 1.0\r\n'), protectedEntity]));
      msg.trace.add('protect/pgp', 'encrypted', `${text !== null ? 'PGP/INLINE' : 'PGP/MIME'}, SEIPD v${seipd}${seipd === 1 ? ' with MDC' : ''}, for ${keys.size} key(s)`, addresses);
      return outcome.continue(draft);
    },
  };
}
