/**
 * The `pdf` protection method: the whole message (headers, text, HTML kept as message.html,
 * every attachment embedded) becomes one AES-256 PDF (security handler V5 R6), attached to a
 * short message for the recipient that says how to get the password. One PDF and one password
 * per branch: recipients who share the method share a copy (Bcc recipients have a branch of
 * their own, so a copy and a password of their own).
 *
 * Password modes (profile `pdf.passwordMode`, DESIGN §4):
 * - `random-to-sender` (default): a fresh 100-bit password, sent to the sender in a separate
 *   `pdf-password` notice (emitted with the branch, so it is committed in the same transaction as
 *   the PDF: a replay makes a new PDF and a new notice together, never a mismatched pair).
 *   Cannot serve a message with the null sender (nobody to tell).
 * - `static`: the profile's `pdf.password` (may be ${ENV}); cannot serve without one.
 * - `sms`: a fresh password sent by SMS to the recipient's number (sms/directory.ts); cannot
 *   serve a recipient without a number or without a provider. The SMS goes out during protect:
 *   a replay after a crash sends another SMS with the new password (the last one is right).
 * - `portal`: belongs to the portal; cannot serve here yet (seam).
 *
 * SECURITY: fail closed — rendering, encryption or SMS failures throw (the step defers, then
 * quarantines), never plaintext. The recipient's message holds only the encrypted PDF and a fixed
 * text; X-Sealpost-Notification is not set (this is the message itself, not a notice). The
 * password never enters the trace or a log.
 * STANDARDS: ISO 32000-2 §7.6.4 (R6), RFC 2045/2046/2183 for the outer message.
 */
import type { Branch, MessageContext } from '../mail/context.js';
import { emitNotice } from '../mail/context.js';
import type { EnvelopeRecipient } from '../mail/envelope.js';
import { outcome, type Outcome } from '../mail/outcome.js';
import { MessageDraft } from '../mime/draft.js';
import { boundaryFor, CRLF, encodeText, quotedPrintable } from '../notify/mime.js';
import { encryptPdf } from '../pdf/encrypt.js';
import type { FontSpec } from '../pdf/fonts.js';
import { decodeHeaderText, type MimeLimits } from '../pdf/mime-tree.js';
import { generatePassword } from '../pdf/password.js';
import type { PasswordNotifier } from '../pdf/password-notice.js';
import { renderMessagePdf } from '../pdf/render.js';
import { TemplateEngine } from '../notify/template/engine.js';
import type { ProtectionMethod } from '../select/method.js';
import { numberFromHeader, SMS_NUMBER_HEADER, type SmsDirectory } from '../sms/directory.js';
import { maskNumber, type SmsProvider } from '../sms/provider.js';
import { SealpostError } from '../errors/index.js';
import { splitEntity } from './smime-method.js';

export type PdfPasswordMode = 'static' | 'random-to-sender' | 'sms' | 'portal';

export interface PdfProfile {
  readonly passwordMode: PdfPasswordMode;
  readonly password?: string | undefined;
  /** the recipient's Subject: omitted = the original; `{subject}` stands for the original */
  readonly subject?: string | undefined;
  /** name of the PDF attachment */
  readonly fileName: string;
}

export interface PdfMethodOptions {
  readonly profile: (name: string) => PdfProfile | undefined;
  readonly render: { readonly fonts?: readonly FontSpec[]; readonly pageSize?: 'A4' | 'LETTER'; readonly limits?: MimeLimits };
  /** composes the sender's `pdf-password` notice (the Notifier of src/notify/notifier.ts fits) */
  readonly notifier: PasswordNotifier;
  readonly sms?: {
    readonly provider: SmsProvider | null;
    readonly directory: SmsDirectory | null;
    /** honour X-Sealpost-Sms-Number from internal senders */
    readonly acceptHeader: boolean;
    /** the SMS text; {password}, {sender} and {subject} are replaced */
    readonly text: string;
  };
  /** `policy explain`: render and encrypt as usual (font notes show), but send no SMS and emit no notice */
  readonly dryRun?: boolean;
  /** portal reply address for the PDF, when the portal is enabled (seam for the portal issue) */
  readonly replyUrl?: (msg: MessageContext, branch: Branch) => string | undefined;
  /** passwordMode portal: the PDF password a recipient set in the portal (kept wrapped there) */
  readonly portalPasswords?: { has(address: string): Promise<boolean>; lookup(address: string): Promise<string | null> };
  /** the notices' wording engine (locales, overrides): the text beside the PDF in the profile's locale; default: built-in, English */
  readonly wording?: Pick<TemplateEngine, 'render'>;
}

const DEFAULT_PROFILE: PdfProfile = { passwordMode: 'random-to-sender', fileName: 'message.pdf' };

/** Fields that describe the content (replaced by ours) or ask something of the gateway (dropped). */
const DROPPED = new Set(['mime-version', SMS_NUMBER_HEADER.toLowerCase()]);

function profileOf(options: PdfMethodOptions, branch: Branch): { name: string; pdf: PdfProfile } {
  const name = branch.facts.protection?.profile ?? 'default';
  return { name, pdf: options.profile(name) ?? DEFAULT_PROFILE };
}

function smsNumber(options: PdfMethodOptions, recipient: EnvelopeRecipient, msg: MessageContext, branch: Branch): string | null {
  const sms = options.sms;
  if (!sms?.provider) return null;
  let listed: string | null = null;
  try {
    listed = sms.directory?.lookup(recipient.address) ?? null;
  } catch {
    // an unreadable directory means "no number known" (pdfSetupWarnings reports it): pdf cannot
    // serve this recipient and select tries the next method, instead of failing the whole message
    listed = null;
  }
  if (listed) return listed;
  if (sms.acceptHeader && msg.session.mayRelay && recipient.direction === 'outbound') return numberFromHeader(branch.draft.getAll(SMS_NUMBER_HEADER), recipient.address);
  return null;
}

/** A MIME parameter value: quoted ASCII, else RFC 2231 UTF-8. */
function param(name: string, value: string): string {
  return /^[\x20-\x7e]*$/.test(value) ? `${name}="${value.replace(/["\\\r\n]/g, '_')}"` : `${name}*=utf-8''${encodeURIComponent(value)}`;
}

/**
 * The text beside the PDF, in the profile's locale (notifications templates, type pdf-message);
 * the notices' footer ("automatic message, replies are not read") is left out: this is the
 * sender's message, and a reply reaches the sender.
 */
function recipientText(wording: Pick<TemplateEngine, 'render'>, profile: string, to: string, mode: PdfPasswordMode, sender: string, fileName: string, smsTo: string | null): string {
  const vars = { sender: sender || '—', fileName, toSender: mode === 'random-to-sender', bySms: mode === 'sms', portal: mode === 'portal', agreed: mode === 'static', ...(smsTo ? { smsEnding: maskNumber(smsTo) } : {}) };
  const { text } = wording.render({ type: 'pdf-message', profile, to, vars });
  return `${text.split('\n-- \n')[0]!.trimEnd()}\n`;
}

/** The recipient's message: the original routing headers, our text, the PDF. */
export function buildPdfMessage(draft: MessageDraft, input: { pdf: Buffer; fileName: string; text: string; subject?: string | undefined }): MessageDraft {
  const { outer } = splitEntity(draft);
  let head = MessageDraft.parse(Buffer.concat([outer, Buffer.from(CRLF)])).filter((f) => !DROPPED.has(f.name.toLowerCase()));
  if (input.subject !== undefined) {
    const original = decodeHeaderText(draft.get('Subject'));
    const subject = input.subject.replace(/\{subject\}/g, () => original).replace(/[\r\n]+/g, ' ');
    // RFC 2047 words when not ASCII (libmime keeps each word within 75 characters)
    head = head.without('Subject').append('Subject', encodeText(subject));
  }
  const base64 = input.pdf.toString('base64').replace(/.{76}/g, `$&${CRLF}`);
  const text = quotedPrintable(input.text);
  const boundary = boundaryFor(text);
  const body = [
    `This is a multi-part message in MIME format.${CRLF}`,
    `${CRLF}--${boundary}${CRLF}`,
    `Content-Type: text/plain; charset=utf-8${CRLF}Content-Transfer-Encoding: quoted-printable${CRLF}${CRLF}`,
    text,
    `${CRLF}--${boundary}${CRLF}`,
    `Content-Type: application/pdf; ${param('name', input.fileName)}${CRLF}`,
    `Content-Disposition: attachment; ${param('filename', input.fileName)}${CRLF}`,
    `Content-Transfer-Encoding: base64${CRLF}${CRLF}`,
    base64.endsWith(CRLF) ? base64 : base64 + CRLF,
    `--${boundary}--${CRLF}`,
  ].join('');
  const headers = head.append('MIME-Version', '1.0').append('Content-Type', `multipart/mixed; boundary="${boundary}"`);
  return MessageDraft.parse(Buffer.concat([headers.headerBytes(), Buffer.from(CRLF), Buffer.from(body, 'latin1')]));
}

export function pdfMethod(options: PdfMethodOptions): ProtectionMethod {
  const wording = options.wording ?? new TemplateEngine();
  return {
    name: 'pdf',
    async canServe(recipient: EnvelopeRecipient, msg: MessageContext, branch: Branch): Promise<boolean> {
      if (recipient.direction !== 'outbound') return false;
      const { pdf } = profileOf(options, branch);
      switch (pdf.passwordMode) {
        case 'random-to-sender':
          return msg.envelope.mailFrom !== '';
        case 'static':
          return Boolean(pdf.password);
        case 'sms':
          return smsNumber(options, recipient, msg, branch) !== null;
        case 'portal':
          // the recipient registered in the portal and chose a PDF password there
          return options.portalPasswords ? options.portalPasswords.has(recipient.address) : false;
      }
    },

    async protect(msg: MessageContext, branch: Branch): Promise<Outcome> {
      const { name: profileName, pdf: profile } = profileOf(options, branch);
      const addresses = branch.recipients.map((r) => r.address);
      const sender = msg.envelope.mailFrom;
      const fail = (why: string) => new SealpostError('SP_ERR_PDF_PASSWORD_UNAVAILABLE', why, { messageId: msg.id, stage: 'protect/pdf', recipient: addresses.join(',') });

      let password: string;
      const smsTo = new Map<string, string>();
      switch (profile.passwordMode) {
        case 'static':
          if (!profile.password) throw fail(`profile ${profileName} has passwordMode static but no password`);
          password = profile.password;
          break;
        case 'random-to-sender':
          if (!sender) throw fail('random-to-sender needs a sender to send the password to; this message has the null sender');
          password = generatePassword();
          break;
        case 'sms':
          for (const r of branch.recipients) {
            const number = smsNumber(options, r, msg, branch);
            if (!number) throw fail(`no mobile number for ${r.address} any more`);
            smsTo.set(r.address, number);
          }
          password = generatePassword();
          break;
        case 'portal': {
          // select gives each such recipient a branch of their own: one PDF per password
          if (branch.recipients.length !== 1) throw fail(`passwordMode portal needs one recipient per PDF, got ${branch.recipients.length}`);
          const own = await options.portalPasswords?.lookup(branch.recipients[0]!.address);
          if (!own) throw fail(`${branch.recipients[0]!.address} has no PDF password in the portal any more`);
          password = own;
          break;
        }
      }

      const started = Date.now();
      const replyUrl = options.replyUrl?.(msg, branch);
      const rendered = await renderMessagePdf(branch.draft.toBuffer(), { ...options.render, ...(replyUrl ? { replyUrl } : {}) });
      for (const note of rendered.notes) msg.trace.add('protect/pdf', 'render-note', note, addresses);
      const encrypted = await encryptPdf(rendered.pdf, { userPassword: password });
      msg.trace.add('protect/pdf', 'encrypted', `PDF of ${rendered.pages} page(s) with ${rendered.attachments} embedded file(s), AES-256 (V5 R6), ${encrypted.length} bytes, ${Date.now() - started} ms`, addresses);

      const subject = decodeHeaderText(branch.draft.get('Subject'));
      if (options.dryRun) {
        msg.trace.add('protect/pdf', 'password', `${profile.passwordMode} (dry run: no SMS or notice sent)`, addresses);
      } else if (profile.passwordMode === 'random-to-sender') {
        emitNotice(branch, options.notifier.compose({ type: 'pdf-password', to: sender, profile: profileName, vars: { recipients: addresses, subject, password }, key: `pdf-password:${sender}:${[...addresses].sort().join(',')}` }));
        msg.trace.add('protect/pdf', 'password', `random password; a pdf-password notice goes to ${sender}`, addresses);
      } else if (profile.passwordMode === 'sms') {
        const sms = options.sms!;
        const text = sms.text.replace(/\{password\}/g, () => password).replace(/\{sender\}/g, () => sender || 'the sender').replace(/\{subject\}/g, () => subject.slice(0, 60));
        // one SMS per distinct number (two addresses of one person get one text)
        for (const number of new Set(smsTo.values())) await sms.provider!.send(number, text);
        msg.trace.add('protect/pdf', 'password', `random password sent by SMS via ${sms.provider!.name} to ${[...smsTo.entries()].map(([a, n]) => `${a} (${maskNumber(n)})`).join(', ')}`, addresses);
      } else if (profile.passwordMode === 'portal') {
        msg.trace.add('protect/pdf', 'password', 'the recipient\'s own PDF password from the portal', addresses);
      } else {
        msg.trace.add('protect/pdf', 'password', `static password of profile ${profileName}`, addresses);
      }

      const firstNumber = smsTo.values().next().value ?? null;
      const draft = buildPdfMessage(branch.draft, { pdf: encrypted, fileName: profile.fileName, text: recipientText(wording, profileName, branch.recipients[0]!.address, profile.passwordMode, sender, profile.fileName, smsTo.size === 1 ? firstNumber : null), subject: profile.subject });
      return outcome.continue(draft);
    },
  };
}
