/**
 * The `smime` protection method (RFC 8551): a recipient can be served when the PKI selects a
 * valid, trusted encryption certificate for them (or their domain); protect() signs the inner
 * entity when the sender has a key (sign: auto) and encrypts it for every recipient of the
 * branch in one EnvelopedData, keeping the outer routing headers.
 * SECURITY: fail closed — a recipient without a usable certificate at protect time throws
 * (the step defers, never sends plaintext); the plaintext entity never leaves this function.
 * STANDARDS: RFC 8551 §3.3–3.5 (pkcs7-mime, multipart/signed), RFC 5652, RFC 5751 canonical CRLF.
 */
import { buildMultipartSigned, buildPkcs7MimeEntity, encryptEnveloped, signData, toCanonicalCrlf } from '../crypto/index.js';
import type { Branch, MessageContext } from '../mail/context.js';
import type { EnvelopeRecipient } from '../mail/envelope.js';
import { outcome, type Outcome } from '../mail/outcome.js';
import { MessageDraft } from '../mime/draft.js';
import type { Selector } from '../pki/select.js';
import type { ProtectionMethod } from '../select/method.js';

export interface SmimeMethodOptions {
  readonly selector: Pick<Selector, 'encryptionCertificatesFor' | 'signingKeyFor'>;
  /** profile `sign` setting per profile name ('auto' | 'required' | 'never') */
  readonly signMode: (profile: string) => 'auto' | 'required' | 'never';
  /** issues a signing certificate for an internal sender without one (built-in CA); null = cannot */
  readonly enrol?: (address: string) => Promise<boolean>;
  /** profile queueTimeout (ms): how long `sign: required` holds a message whose sender has no key */
  readonly queueTimeout?: (profile: string) => number | undefined;
  /** profile `smime` settings per profile name (defaults: AES-256-CBC, PKCS#1 v1.5, detached) */
  readonly profile?: (profile: string) => SmimeProfile | undefined;
  readonly now?: () => number;
}

export interface SmimeProfile {
  readonly cipher: 'aes-256-cbc' | 'aes-128-cbc' | 'aes-256-gcm' | 'aes-128-gcm';
  readonly keyTransport: 'rsa-pkcs1' | 'rsa-oaep';
  readonly signature: 'detached' | 'opaque';
}

const DEFAULT_PROFILE: SmimeProfile = { cipher: 'aes-256-cbc', keyTransport: 'rsa-pkcs1', signature: 'detached' };

const isContentHeader = (name: string) => /^content-/i.test(name);

/** Splits a message into the entity that gets protected (Content-* fields + body) and the outer fields. */
export function splitEntity(draft: MessageDraft): { outer: Buffer; entity: Buffer } {
  const outer = draft.filter((f) => !isContentHeader(f.name) && f.name.toLowerCase() !== 'mime-version');
  const inner = draft.filter((f) => isContentHeader(f.name));
  const entityHead = inner.fields.length > 0 ? inner.headerBytes() : Buffer.from('Content-Type: text/plain; charset=us-ascii\r\n', 'latin1');
  return { outer: outer.headerBytes(), entity: Buffer.concat([entityHead, Buffer.from('\r\n'), draft.body]) };
}

export function smimeMethod(options: SmimeMethodOptions): ProtectionMethod {
  const now = options.now ?? Date.now;
  return {
    name: 'smime',
    async canServe(recipient: EnvelopeRecipient): Promise<boolean> {
      if (recipient.direction !== 'outbound') return false;
      return (await options.selector.encryptionCertificatesFor(recipient.address, now())).canEncrypt;
    },
    async protect(msg: MessageContext, branch: Branch): Promise<Outcome> {
      const certificates = new Map<string, Buffer>();
      for (const r of branch.recipients) {
        const selection = await options.selector.encryptionCertificatesFor(r.address, now());
        if (!selection.canEncrypt) throw new Error(`no valid S/MIME certificate for ${r.address} any more`);
        for (const c of selection.certificates) certificates.set(c.id, c.der);
      }
      const addresses = branch.recipients.map((r) => r.address);
      const { outer, entity } = splitEntity(branch.draft);
      let content = toCanonicalCrlf(entity);
      const profileName = branch.facts.protection?.profile ?? 'default';
      // a policy `sign` action asks for a signature even where the profile would not sign
      const configured = options.signMode(profileName);
      const mode = branch.facts.signRequested && configured === 'never' ? 'auto' : configured;
      const settings = options.profile?.(profileName) ?? DEFAULT_PROFILE;
      if (mode !== 'never') {
        let { signer } = await options.selector.signingKeyFor(msg.envelope.mailFrom, now());
        if (!signer && msg.envelope.mailFrom && options.enrol && (await options.enrol(msg.envelope.mailFrom))) {
          msg.trace.add('protect/smime', 'enrolled', `the built-in CA issued a signing certificate for ${msg.envelope.mailFrom}`, addresses);
          ({ signer } = await options.selector.signingKeyFor(msg.envelope.mailFrom, now()));
        }
        if (signer) {
          const signerInput = { certificate: signer.der, privateKey: signer.privateKey, chain: signer.chain.slice(1).map((c) => c.der) };
          content =
            settings.signature === 'opaque'
              ? buildPkcs7MimeEntity(signData({ content, signer: signerInput, digest: 'sha256', detached: false }), 'signed-data')
              : buildMultipartSigned(content, signData({ content, signer: signerInput, digest: 'sha256', detached: true }), 'sha256');
          msg.trace.add('protect/smime', 'signed', `signed as ${signer.subject}`, addresses);
        } else if (mode === 'required') {
          // Held like encryption (DESIGN §1): re-checked until queueTimeout, then the sender is told.
          const why = `signing is required but ${msg.envelope.mailFrom || '<>'} has no valid signing key`;
          const deadline = msg.receivedAt + (options.queueTimeout?.(profileName) ?? 86_400_000);
          msg.trace.add('protect/smime', 'hold', why, addresses);
          if (now() >= deadline) return outcome.bounce(`could not be delivered securely: ${why}`, '5.7.10', 'encryption-failed');
          return outcome.defer(`held for signing: ${why}`, Math.min(deadline, now() + Math.min(15 * 60_000, Math.max(1000, (deadline - msg.receivedAt) / 8))));
        } else {
          msg.trace.add('protect/smime', 'unsigned', `no valid signing key for ${msg.envelope.mailFrom || '<>'}; sent unsigned`, addresses);
        }
      }
      const der = encryptEnveloped({ content, cipher: settings.cipher, recipients: [...certificates.values()].map((certificate) => ({ certificate, keyTransport: settings.keyTransport })) });
      const protectedEntity = buildPkcs7MimeEntity(der, settings.cipher.endsWith('gcm') ? 'authEnveloped-data' : 'enveloped-data');
      const draft = MessageDraft.parse(Buffer.concat([outer, Buffer.from('MIME-Version: 1.0\r\n'), protectedEntity]));
      msg.trace.add('protect/smime', 'encrypted', `${settings.cipher.toUpperCase()} for ${certificates.size} certificate(s)`, addresses);
      return outcome.continue(draft);
    },
  };
}
