/**
 * The one template engine for every notice (and the DSN's human-readable part): picks the
 * locale, prepares the variables (dates and durations for the locale, URLs checked, untrusted
 * text cleaned), applies overrides, and renders subject, text and HTML from the same strings.
 *
 * Locale choice: the request's locale → the profile's (`profiles.<p>.portal.locale`) →
 * `notifications.locale` → English. A tag is matched as given (`pt-BR`, when an override
 * directory has it) and then by its language (`pt`); a tag nobody knows is skipped, so the
 * chain ends in English at worst.
 *
 * SECURITY: variables are untrusted (subjects, addresses, remote replies): escaped per output by
 * layout.ts/render.ts; only http(s) URLs are kept; each value is capped at 2,000 characters.
 */
import { convert as htmlToText } from 'html-to-text';
import { SealpostError } from '../../errors/index.js';
import { CATALOGS } from '../locales/index.js';
import { DEFAULT_BRANDING, escapeHtml, escapeText, htmlDocument, renderHtmlBlocks, renderTextBody, textFooter, textToHtmlBlocks, type Branding } from './layout.js';
import type { OverrideSet } from './overrides.js';
import { render, renderTemplate, type TemplateValue, type TemplateVars } from './render.js';
import { BUILTIN_LOCALES, DATE_VARIABLES, DURATION_VARIABLES, TEMPLATE_TYPES, URL_VARIABLES, type LocaleCatalog, type TemplateType } from './types.js';

export interface EngineOptions {
  /** `notifications.locale` */
  readonly defaultLocale?: string;
  /** IANA zone for dates in notices (`notifications.timeZone`), default UTC */
  readonly timeZone?: string;
  /** named brandings (`notifications.brandings`) */
  readonly brandings?: Readonly<Record<string, Branding>>;
  /** branding used when the profile names none (`notifications.branding`) */
  readonly defaultBranding?: string;
  /** per profile: its locale and branding name (`profiles.<p>.portal.locale|branding`) */
  readonly profiles?: Readonly<Record<string, { readonly locale?: string | undefined; readonly branding?: string | undefined }>>;
  readonly overrides?: OverrideSet;
}

export interface RenderRequest {
  readonly type: TemplateType;
  readonly locale?: string | undefined;
  readonly profile?: string | undefined;
  /** the notice's recipient (available to templates as {{to}}) */
  readonly to?: string;
  readonly vars: Readonly<Record<string, TemplateValue>>;
}

export interface RenderedNotice {
  readonly type: TemplateType;
  /** the locale actually used (`en` when nothing else matched) */
  readonly locale: string;
  readonly subject: string;
  /** LF line ends */
  readonly text: string;
  readonly html: string;
  readonly branding: Branding;
}

const MAX_VALUE = 2000;
const cap = (s: string): string => (s.length > MAX_VALUE ? `${s.slice(0, MAX_VALUE)}…` : s);

/** 'pt_BR' → 'pt-br'; undefined for junk. */
function normalise(tag: string | undefined): string | undefined {
  if (!tag) return undefined;
  const t = tag.trim().replace(/_/g, '-').toLowerCase();
  return /^[a-z]{2,3}(?:-[a-z0-9]{1,8})*$/.test(t) ? t : undefined;
}

export class TemplateEngine {
  private readonly supported: Set<string>;
  private readonly timeZone: string;

  constructor(private readonly options: EngineOptions = {}) {
    this.supported = new Set<string>([...BUILTIN_LOCALES, ...(options.overrides?.locales ?? [])]);
    this.timeZone = options.timeZone ?? 'UTC';
    // An unknown zone would throw at the first notice: refuse it now instead.
    new Intl.DateTimeFormat('en', { timeZone: this.timeZone });
  }

  /** The first supported locale of the chain request → profile → notifications.locale → en. */
  resolveLocale(requested?: string, profile?: string): string {
    const chain = [requested, profile ? this.options.profiles?.[profile]?.locale : undefined, this.options.defaultLocale];
    for (const candidate of chain) {
      const t = normalise(candidate);
      if (!t) continue;
      if (this.supported.has(t)) return t;
      const language = t.split('-')[0]!;
      if (this.supported.has(language)) return language;
    }
    return 'en';
  }

  brandingFor(profile?: string): Branding {
    const name = (profile ? this.options.profiles?.[profile]?.branding : undefined) ?? this.options.defaultBranding;
    if (!name) return DEFAULT_BRANDING;
    // A profile branding that is not configured is a plain organisation name (the portal shows it too).
    return this.options.brandings?.[name] ?? { ...DEFAULT_BRANDING, organisation: name };
  }

  render(req: RenderRequest): RenderedNotice {
    if (!(TEMPLATE_TYPES as readonly string[]).includes(req.type)) {
      throw new SealpostError('SP_ERR_INTERNAL', `notice: unknown type "${escapeText(String(req.type))}"`, { stage: 'notify' });
    }
    if (req.type === 'pdf-password' && !(typeof req.vars.password === 'string' && req.vars.password.trim() !== '')) {
      // fail closed: a password notice without its password would strand the recipients
      throw new SealpostError('SP_ERR_INTERNAL', 'notice: pdf-password needs a password', { stage: 'notify' });
    }
    const locale = this.resolveLocale(req.locale, req.profile);
    const language = locale.split('-')[0]!;
    const catalog: LocaleCatalog = CATALOGS[locale] ?? CATALOGS[language] ?? CATALOGS.en!;
    const builtin = catalog.types[req.type];
    const branding = this.brandingFor(req.profile);
    const vars = this.prepare(req, locale, branding);
    const override = this.options.overrides?.get(locale, req.type);

    const subject = escapeText(override?.subject ? renderTemplate(override.subject, vars, escapeText) : render(builtin.subject, vars, escapeText));
    let text: string;
    let html: string;
    if (override?.text || override?.html) {
      // An override replaces the built-in wording; the missing alternative is derived from it,
      // so the two parts still say the same thing.
      const overText = override.text ? renderTemplate(override.text, vars, escapeText).replace(/\r\n?/g, '\n') : undefined;
      html = override.html
        ? renderTemplate(override.html, vars, escapeHtml)
        : htmlDocument(textToHtmlBlocks(overText!), { lang: locale, subject, vars, auto: catalog.auto, branding });
      text = overText ?? htmlToText(html, { wordwrap: 76, selectors: [{ selector: 'a', options: { hideLinkHrefIfSameAsText: true } }, { selector: 'img', format: 'skip' }] });
      if (!override.text) text = `${text.trimEnd()}\n`;
      else if (!/\n-- \n/.test(text)) text = `${text.trimEnd()}\n\n${textFooter(vars, catalog.auto, branding)}\n`;
    } else {
      text = renderTextBody(builtin.body, vars, catalog.auto, branding);
      html = htmlDocument(renderHtmlBlocks(builtin.body, vars, catalog.linkFallback, branding), { lang: locale, subject, vars, auto: catalog.auto, branding });
    }
    if (req.type === 'pdf-password' && !text.split('\n').includes(`Password: ${vars.password as string}`)) {
      throw new SealpostError('SP_ERR_INTERNAL', 'notice: the pdf-password text lost its "Password:" line', { stage: 'notify' });
    }
    return { type: req.type, locale, subject, text, html, branding };
  }

  /** Untrusted values cleaned and capped; dates, durations and URLs made ready for this locale. */
  private prepare(req: RenderRequest, locale: string, branding: Branding): TemplateVars {
    const out: Record<string, TemplateValue> = {};
    for (const [k, v] of Object.entries(req.vars)) {
      if (v === undefined) continue;
      if (Array.isArray(v)) out[k] = (v as readonly string[]).slice(0, 200).map((x) => cap(escapeText(String(x))));
      else if (typeof v === 'string') out[k] = cap(escapeText(v));
      else out[k] = v as TemplateValue;
      if (DATE_VARIABLES.has(k)) out[k] = this.formatDate(v, locale);
      if (DURATION_VARIABLES.has(k) && typeof out[k] === 'string') out[k] = formatDuration(out[k] as string, locale);
    }
    Object.assign(out, {
      organisation: escapeText(branding.organisation),
      footer: branding.footer ? escapeText(branding.footer) : undefined,
      colour: branding.colour,
      logoUrl: branding.logoUrl,
      to: req.to,
      type: req.type,
      locale,
    });
    for (const k of URL_VARIABLES) if (out[k] !== undefined && !isWebUrl(out[k])) delete out[k];
    if (req.type === 'quarantined' || req.type === 'blocked') {
      const sender = typeof req.vars.sender === 'string' ? req.vars.sender.toLowerCase() : '';
      out.toSender = sender === '' || req.to === undefined || req.to.toLowerCase() === sender;
    }
    return out;
  }

  private formatDate(v: TemplateValue, locale: string): TemplateValue {
    const ms = typeof v === 'number' ? v : typeof v === 'string' && /^\d{4}-\d{2}-\d{2}/.test(v) ? Date.parse(v) : NaN;
    if (!Number.isFinite(ms)) return typeof v === 'string' ? cap(escapeText(v)) : v;
    const dateOnly = typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v);
    // A bare date is a calendar day (no zone to shift it); a time says which zone it is in.
    return new Intl.DateTimeFormat(locale, dateOnly ? { dateStyle: 'long', timeZone: 'UTC' } : { year: 'numeric', month: 'long', day: 'numeric', hour: '2-digit', minute: '2-digit', timeZoneName: 'short', timeZone: this.timeZone }).format(ms);
  }
}

function isWebUrl(v: TemplateValue): boolean {
  if (typeof v !== 'string') return false;
  try {
    const u = new URL(v);
    return u.protocol === 'https:' || u.protocol === 'http:';
  } catch {
    return false;
  }
}

const UNITS: Record<string, string> = { s: 'second', m: 'minute', h: 'hour', d: 'day' };

/** "1d" → "1 day" / "1 Tag" / "1 日" …; anything else unchanged. */
export function formatDuration(value: string, locale: string): string {
  const m = /^(\d+)(s|m|h|d)$/.exec(value.trim());
  if (!m) return value;
  return new Intl.NumberFormat(locale, { style: 'unit', unit: UNITS[m[2]!], unitDisplay: 'long' }).format(Number(m[1]));
}
