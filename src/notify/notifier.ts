/**
 * The Notifier: turns a notice request (type, recipient, variables) into a complete, stamped
 * message that a step hands to emitNotice(branch, notice). Every notice Sealpost writes to a
 * person goes through here, so markers (X-Sealpost-Notification, Auto-Submitted, loop marker),
 * the system sender and the wording stay in one place.
 *
 * SECURITY: variables are untrusted (subjects and addresses come from senders): they are cleaned
 * of controls before they reach a header or body. The loop marker (X-Sealpost-Processed) makes
 * the gateway recognise the notice as its own if it comes back.
 * STANDARDS: RFC 5322, RFC 3834 (Auto-Submitted), RFC 2045–2047.
 */
import type { OutgoingNotice } from '../mail/context.js';
import type { Direction } from '../mail/envelope.js';
import { MessageDraft } from '../mime/draft.js';
import { stampForDelivery } from '../protect/finalize-stage.js';
import { clean } from './mime.js';
import { buildNotice, type NoticeType } from './notice.js';

export type NoticeVar = string | number | boolean | readonly string[] | undefined;

export interface NoticeRequest {
  /** DESIGN §5 types: portal-message, portal-reminder, pdf-password, encryption-failed, quarantined, blocked, read-receipt, expired, decrypt-failed */
  readonly type: NoticeType;
  /** the notice's recipient */
  readonly to: string;
  /** 'de', 'ja' …; else the profile's locale, else notifications.locale, else 'en' */
  readonly locale?: string;
  /** encryption profile name (branding, locale) */
  readonly profile?: string;
  readonly vars: Readonly<Record<string, NoticeVar>>;
  /** attach the original header block (text/rfc822-headers) */
  readonly originalHeaders?: Buffer;
  /** dedupe key for emitNotice; default `${type}:${to}` */
  readonly key?: string;
}

export interface Notifier {
  /** A complete notice (From = system sender, X-Sealpost-Notification, Auto-Submitted, loop marker
   *  stamped, direction chosen by whether `to` is internal), ready for emitNotice(branch, notice). */
  compose(req: NoticeRequest): OutgoingNotice;
}

export interface NotifierOptions {
  /** our host name (Message-ID domain) */
  readonly hostname: string;
  /** node name and gateway secret: the loop marker */
  readonly node: string;
  readonly secret: Buffer;
  /** the system sender address, e.g. securemail-noreply@example.com */
  readonly from: string;
  readonly fromName?: string;
  readonly internalDomains: readonly string[];
  readonly now?: () => number;
}

/** Internal addresses get notices through the inbound hop, external ones through the outbound hop. */
export function directionFor(address: string, internalDomains: readonly string[]): Direction {
  const domain = address.slice(address.lastIndexOf('@') + 1).toLowerCase();
  const internal = internalDomains.some((d) => {
    const l = d.toLowerCase();
    return l.startsWith('*.') ? domain.endsWith(l.slice(1)) : domain === l;
  });
  return internal ? 'inbound' : 'outbound';
}

// ---- English wording (first version; the template engine replaces it) ----

function str(v: NoticeVar): string {
  if (v === undefined) return '';
  if (Array.isArray(v)) return v.map((x) => clean(String(x))).join(', ');
  return clean(String(v));
}

function about(vars: NoticeRequest['vars']): string {
  return vars.subject ? ` "${str(vars.subject)}"` : '';
}

function englishText(type: NoticeType, vars: NoticeRequest['vars']): { subject: string; text: string } {
  const s = about(vars);
  switch (type) {
    case 'portal-message':
    case 'portal-reminder': {
      const reminder = type === 'portal-reminder';
      return {
        subject: `${reminder ? 'Reminder: ' : ''}${str(vars.sender) || 'Someone'} sent you a secure message${s}`,
        text: [
          `${str(vars.sender) || 'Someone'} sent you a secure message${s}.`,
          '',
          'Open it here:',
          str(vars.link),
          '',
          vars.expires ? `The message is available until ${str(vars.expires)}.` : '',
        ].join('\n'),
      };
    }
    case 'pdf-password':
      return {
        subject: `Password for your encrypted message${s}`,
        text: [`Your message${s} to ${str(vars.recipients)} was sent as an encrypted PDF.`, 'Give the recipients this password by another channel (phone, SMS):', '', `Password: ${str(vars.password)}`, ''].join('\n'),
      };
    case 'encryption-failed':
      return {
        subject: `Not delivered: your message could not be sent securely${vars.subject ? ` ("${str(vars.subject)}")` : ''}`,
        text: [
          `Your message${s} to ${str(vars.recipients)} could not be delivered securely${vars.waited ? ` within ${str(vars.waited)}` : ''}.`,
          vars.reason ? `Reason: ${str(vars.reason)}` : '',
          'It was not sent. Nobody received it in plain text.',
        ].join('\n'),
      };
    case 'quarantined':
      return {
        subject: `Held for review: your message${s}`,
        text: [`Your message${s} to ${str(vars.recipients)} was held for review (quarantine ${str(vars.id)}).`, vars.reason ? `Reason: ${str(vars.reason)}` : '', vars.rules ? `Rules: ${str(vars.rules)}` : ''].join('\n'),
      };
    case 'blocked':
      return {
        subject: `Blocked: your message${s}`,
        text: [`Your message${s} to ${str(vars.recipients)} was blocked and not delivered.`, str(vars.reply)].join('\n'),
      };
    case 'read-receipt':
      return { subject: `Read: ${str(vars.subject)}`, text: `${str(vars.reader)} read your secure message${s}${vars.readAt ? ` on ${str(vars.readAt)}` : ''}.` };
    case 'expired':
      return { subject: `Expired: ${str(vars.subject)}`, text: `Your secure message${s} to ${str(vars.recipients)} expired before it was read.` };
    case 'decrypt-failed':
      return { subject: `Could not be decrypted: ${str(vars.subject)}`, text: [`Your message${s} could not be decrypted by the gateway.`, vars.reason ? `Reason: ${str(vars.reason)}` : ''].join('\n') };
  }
}

export class EnglishNotifier implements Notifier {
  private readonly now: () => number;
  constructor(private readonly options: NotifierOptions) {
    this.now = options.now ?? Date.now;
  }

  compose(req: NoticeRequest): OutgoingNotice {
    const now = this.now();
    const { subject, text } = englishText(req.type, req.vars);
    const bytes = buildNotice({
      type: req.type,
      hostname: this.options.hostname,
      from: this.options.from,
      ...(this.options.fromName ? { fromName: this.options.fromName } : {}),
      to: req.to,
      subject,
      text: text.replace(/\n{3,}/g, '\n\n').trimEnd() + '\n',
      ...(req.originalHeaders ? { originalHeaders: req.originalHeaders } : {}),
      now,
    });
    const direction = directionFor(req.to, this.options.internalDomains);
    const stamped = stampForDelivery(MessageDraft.parse(bytes), direction, this.options, now).toBuffer();
    return { key: req.key ?? `${req.type}:${req.to}`, recipient: req.to, direction, bytes: stamped };
  }
}

export function createNotifier(options: NotifierOptions): Notifier {
  return new EnglishNotifier(options);
}
