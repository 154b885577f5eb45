/**
 * UI strings in the 12 portal locales. The locale comes from, in order: the `lang` query
 * parameter (the switcher), the `sp_lang` cookie it sets, Accept-Language, the message profile's
 * locale, English. A key missing from a locale falls back to English (the typecheck requires
 * complete locales; the fallback guards hand-edited ones).
 * SECURITY: strings are ours; `{name}` placeholders are filled with already-known values and the
 * result is escaped by the page templates like any text.
 */
import { en, type MessageKey, type Messages } from './locales/en.js';
import { fr } from './locales/fr.js';
import { de } from './locales/de.js';
import { ja } from './locales/ja.js';
import { pt } from './locales/pt.js';
import { es } from './locales/es.js';
import { it } from './locales/it.js';
import { ko } from './locales/ko.js';
import { nl } from './locales/nl.js';
import { pl } from './locales/pl.js';
import { ru } from './locales/ru.js';
import { zh } from './locales/zh.js';

export type { MessageKey };

const CATALOG: Record<string, Messages> = { en, fr, de, ja, pt, es, it, ko, nl, pl, ru, zh };

/** Locale codes with their own names, for the switcher. */
export const LOCALES: ReadonlyArray<{ code: string; name: string }> = [
  { code: 'en', name: 'English' },
  { code: 'fr', name: 'Français' },
  { code: 'de', name: 'Deutsch' },
  { code: 'es', name: 'Español' },
  { code: 'it', name: 'Italiano' },
  { code: 'pt', name: 'Português' },
  { code: 'nl', name: 'Nederlands' },
  { code: 'pl', name: 'Polski' },
  { code: 'ru', name: 'Русский' },
  { code: 'ja', name: '日本語' },
  { code: 'ko', name: '한국어' },
  { code: 'zh', name: '中文' },
];

export function isLocale(code: string | undefined): code is string {
  return code !== undefined && Object.hasOwn(CATALOG, code);
}

/** The best supported locale for an Accept-Language header (q-values honoured), or undefined. */
export function fromAcceptLanguage(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const ranges = header
    .split(',')
    .slice(0, 20) // a hostile header with thousands of entries costs nothing
    .map((part, i) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)).find(Boolean);
      return { tag: tag.toLowerCase(), q: q ? Number(q[1]) : 1, i };
    })
    .filter((r) => r.tag && r.q > 0)
    .sort((a, b) => b.q - a.q || a.i - b.i);
  for (const r of ranges) {
    const primary = r.tag.split('-')[0]!;
    if (isLocale(primary)) return primary;
  }
  return undefined;
}

export function negotiateLocale(choice: { query?: string; cookie?: string; acceptLanguage?: string; fallback?: string }): string {
  if (isLocale(choice.query)) return choice.query;
  if (isLocale(choice.cookie)) return choice.cookie;
  return fromAcceptLanguage(choice.acceptLanguage) ?? (isLocale(choice.fallback) ? choice.fallback : 'en');
}

export type Translate = (key: MessageKey, vars?: Readonly<Record<string, string | number>>) => string;

export function translator(locale: string): Translate {
  const messages = CATALOG[locale] ?? en;
  return (key, vars) => {
    const text = messages[key] ?? en[key];
    return vars ? text.replace(/\{(\w+)\}/g, (m, name: string) => (name in vars ? String(vars[name]) : m)) : text;
  };
}
