/**
 * Template overrides from `notifications.templatesDir`: `<dir>/<locale>/<type>.subject|.txt|.html`
 * replace the built-in subject, text part or HTML part of one type in one locale. Everything is
 * read and checked once (at `sealpost check` and at start): a template that does not parse, uses
 * a variable its type does not have, a file name that is not a known type, or a pdf-password text
 * without its `Password: {{password}}` line is an error naming the file — never a broken notice
 * at 3 a.m.
 *
 * SECURITY: the directory belongs to the administrator (trusted text); variables rendered into it
 * are escaped like everywhere else. Symbolic links and files over 64 KB are refused.
 */
import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SealpostError } from '../../errors/index.js';
import { parseTemplate, TemplateSyntaxError, type Template } from './render.js';
import { COMMON_VARIABLES, TEMPLATE_TYPES, TYPE_VARIABLES, type TemplateType } from './types.js';

export interface OverrideTemplates {
  readonly subject?: Template;
  readonly text?: Template;
  readonly html?: Template;
}

export interface OverrideSet {
  readonly dir: string;
  /** locale directory names as found, lower-cased (`de`, `pt-br`, `sv` …) */
  readonly locales: ReadonlySet<string>;
  get(locale: string, type: TemplateType): OverrideTemplates | undefined;
}

const LOCALE_DIR = /^[a-z]{2,3}(?:-[a-z0-9]{2,8})*$/i;
const FILE = /^([a-z-]+)\.(subject|txt|html)$/;
const MAX_BYTES = 64 * 1024;

function invalid(file: string, message: string, cause?: unknown): SealpostError {
  return new SealpostError('SP_ERR_CONFIG_INVALID', `${file}: ${message}`, { path: file, stage: 'notify' }, cause === undefined ? undefined : { cause });
}

/** Reads and validates the whole directory; throws SP_ERR_CONFIG_INVALID on the first problem. */
export function loadOverrides(dir: string): OverrideSet {
  let entries: string[];
  try {
    if (!lstatSync(dir).isDirectory()) throw invalid(dir, 'notifications.templatesDir is not a directory');
    entries = readdirSync(dir);
  } catch (err) {
    if (err instanceof SealpostError) throw err;
    throw invalid(dir, `notifications.templatesDir cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`, err);
  }
  const byLocale = new Map<string, Map<TemplateType, { subject?: Template; text?: Template; html?: Template }>>();
  for (const name of entries.sort()) {
    if (name.startsWith('.') || /^readme(\.[a-z]+)?$/i.test(name)) continue;
    const localeDir = join(dir, name);
    if (!lstatSync(localeDir).isDirectory()) throw invalid(localeDir, 'expected only locale directories here (e.g. de/, ja/, pt-BR/)');
    if (!LOCALE_DIR.test(name)) throw invalid(localeDir, `"${name}" is not a locale tag (e.g. de, ja, pt-BR)`);
    const types = new Map<TemplateType, { subject?: Template; text?: Template; html?: Template }>();
    for (const file of readdirSync(localeDir).sort()) {
      if (file.startsWith('.')) continue;
      const path = join(localeDir, file);
      const m = FILE.exec(file);
      if (!m) throw invalid(path, `unexpected file: expected <type>.subject, <type>.txt or <type>.html with type one of ${TEMPLATE_TYPES.join(', ')}`);
      const type = m[1] as TemplateType;
      if (!(TEMPLATE_TYPES as readonly string[]).includes(type)) throw invalid(path, `unknown notice type "${m[1]}" (known: ${TEMPLATE_TYPES.join(', ')})`);
      const st = lstatSync(path);
      if (!st.isFile()) throw invalid(path, 'not a regular file (symbolic links are not followed)');
      if (st.size > MAX_BYTES) throw invalid(path, `larger than ${MAX_BYTES} bytes`);
      const template = parseFile(path, readFileSync(path), type, m[2] as 'subject' | 'txt' | 'html');
      const slot = types.get(type) ?? {};
      if (m[2] === 'subject') slot.subject = template;
      else if (m[2] === 'txt') slot.text = template;
      else slot.html = template;
      types.set(type, slot);
    }
    const pdf = types.get('pdf-password');
    if (pdf?.html && !pdf.text) throw invalid(join(localeDir, 'pdf-password.html'), 'give pdf-password.txt too: the text part must carry the line "Password: {{password}}" (DESIGN §5)');
    byLocale.set(name.toLowerCase(), types);
  }
  return { dir, locales: new Set(byLocale.keys()), get: (locale, type) => byLocale.get(locale.toLowerCase())?.get(type) };
}

function parseFile(path: string, bytes: Buffer, type: TemplateType, kind: 'subject' | 'txt' | 'html'): Template {
  let source: string;
  try {
    source = new TextDecoder('utf-8', { fatal: true }).decode(bytes).replace(/^\ufeff/, '');
  } catch (err) {
    throw invalid(path, 'not valid UTF-8', err);
  }
  let template: Template;
  try {
    template = parseTemplate(source);
  } catch (err) {
    if (err instanceof TemplateSyntaxError) throw invalid(`${path}:${err.line}:${err.column}`, err.message.replace(/^line \d+, column \d+: /, ''));
    throw err;
  }
  const known = new Set<string>([...TYPE_VARIABLES[type], ...COMMON_VARIABLES]);
  for (const v of template.variables) {
    if (!known.has(v)) throw invalid(path, `unknown variable {{${v}}} for ${type} (known: ${[...known].join(', ')})`);
  }
  if (kind === 'subject' && /\S[\r\n]+\S/.test(source.trim())) throw invalid(path, 'a subject template must be one line');
  // Subjects show up in mailbox lists, previews and log lines: never a password there.
  if (kind === 'subject' && template.variables.has('password')) throw invalid(path, 'a subject must not contain {{password}}');
  if (kind === 'txt' && type === 'pdf-password' && !/^Password: \{\{\s*password\s*\}\}[ \t]*\r?$/m.test(source)) {
    throw invalid(path, 'a pdf-password text must have the line "Password: {{password}}" on its own (DESIGN §5)');
  }
  return template;
}
