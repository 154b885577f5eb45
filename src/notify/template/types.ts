/**
 * The shape of the built-in notice wording: per locale, per type, a subject template and body
 * blocks. One set of strings renders both the text and the HTML part (layout.ts), so the two
 * alternatives always say the same thing.
 */
import { NOTICE_TYPES } from '../notice.js';

/**
 * Portal notices with wording of their own but no header type of their own: they travel as
 * `X-Sealpost-Notification: portal-message` (the contract's closest type, DESIGN §5).
 */
export const EXTRA_NOTICE_TYPES = ['portal-sent', 'portal-password-reset'] as const;
/** What Notifier.compose accepts. */
export type ComposableType = (typeof NOTICE_TYPES)[number] | (typeof EXTRA_NOTICE_TYPES)[number];
export const HEADER_TYPE: Readonly<Record<ComposableType, (typeof NOTICE_TYPES)[number]>> = {
  ...(Object.fromEntries(NOTICE_TYPES.map((t) => [t, t])) as Record<(typeof NOTICE_TYPES)[number], (typeof NOTICE_TYPES)[number]>),
  'portal-sent': 'portal-message',
  'portal-password-reset': 'portal-message',
};

/**
 * Every type with a template: the notice types of DESIGN §5, the portal extras, the DSN's
 * human-readable part and the text that accompanies an encrypted PDF (the PDF method's message).
 */
export const TEMPLATE_TYPES = [...NOTICE_TYPES, ...EXTRA_NOTICE_TYPES, 'dsn', 'pdf-message'] as const;
export type TemplateType = (typeof TEMPLATE_TYPES)[number];

/** The locales shipped with built-in wording; anything else falls back to English. */
export const BUILTIN_LOCALES = ['en', 'fr', 'de', 'ja', 'pt', 'es', 'it', 'ko', 'nl', 'pl', 'ru', 'zh'] as const;

/**
 * A body block. Strings are paragraphs (template syntax of render.ts); a paragraph that renders
 * blank is left out, so `{{#if x}}…{{/if}}` paragraphs disappear when x is empty.
 */
export type Block =
  | string
  /** the items of a list variable, one per line (text) or <li> (HTML); left out when empty */
  | { readonly list: string; readonly heading?: string }
  /** the contract line of DESIGN §5: `Password: <password>` on a line of its own, never translated */
  | { readonly password: true }
  /** a button (HTML) / "label:" and the URL on its own line (text); left out without a URL */
  | { readonly link: string; readonly label: string }
  /** "Label: value" (label includes its colon); left out when the variable is empty */
  | { readonly detail: string; readonly label: string };

export interface TypeStrings {
  readonly subject: string;
  readonly body: readonly Block[];
}

export interface LocaleCatalog {
  /** the language's own name (docs) */
  readonly name: string;
  /** footer line of every notice */
  readonly auto: string;
  /** HTML only: above the plain URL under a button */
  readonly linkFallback: string;
  readonly types: Readonly<Record<TemplateType, TypeStrings>>;
}

/** Variables each type's templates may use (besides COMMON_VARIABLES); others are a template error. */
export const TYPE_VARIABLES: Readonly<Record<TemplateType, readonly string[]>> = {
  'portal-message': ['sender', 'subject', 'link', 'expires', 'recipient'],
  'portal-reminder': ['sender', 'subject', 'link', 'expires', 'recipient'],
  'pdf-password': ['recipients', 'subject', 'password'],
  'encryption-failed': ['recipients', 'subject', 'reason', 'waited'],
  // sender: who sent the held message; toSender: computed — is this notice going to that sender
  // (else to an admin or the recipients, and the wording says "a message from …")
  quarantined: ['subject', 'reason', 'rules', 'id', 'recipients', 'sender', 'toSender'],
  blocked: ['subject', 'reply', 'recipients', 'sender', 'toSender'],
  'read-receipt': ['reader', 'subject', 'readAt'],
  expired: ['subject', 'recipients'],
  'decrypt-failed': ['subject', 'reason'],
  'portal-sent': ['recipient', 'subject', 'link', 'expires'],
  'portal-password-reset': ['link'],
  dsn: ['host', 'failed', 'delayed'],
  // toSender / bySms / portal / agreed: which password mode delivered the password (exactly one is set)
  'pdf-message': ['sender', 'subject', 'fileName', 'toSender', 'bySms', 'smsEnding', 'portal', 'agreed'],
};

/** Available in every template: branding and the notice's own recipient. */
export const COMMON_VARIABLES = ['organisation', 'footer', 'colour', 'logoUrl', 'to', 'type', 'locale'] as const;
/** Variables holding a date (ISO 8601 string or epoch ms): formatted for the locale. */
export const DATE_VARIABLES = new Set(['expires', 'readAt']);
/** Variables holding a duration like "1d" or "4h": spelled out for the locale. */
export const DURATION_VARIABLES = new Set(['waited']);
/** Variables holding a URL: only http(s) URLs are kept (no javascript: links in a button). */
export const URL_VARIABLES = new Set(['link', 'logoUrl']);
