/**
 * Turns one set of body blocks into the two alternatives of a notice — text/plain and text/html —
 * inside the branded frame, so both always carry the same strings.
 *
 * SECURITY: every variable is escaped for its output (escapeHtml / escapeText); URLs reach an
 * href only when they are http(s) (the engine drops others before rendering); the colour is
 * re-checked here so no CSS can be injected even if a caller bypasses the config schema.
 */
import { clean } from '../mime.js';
import { render, type TemplateVars } from './render.js';
import type { Block } from './types.js';

export interface Branding {
  /** shown in the header of the HTML part and in the footer line */
  readonly organisation: string;
  /** accent colour (#rgb or #rrggbb) */
  readonly colour: string;
  /** http(s) URL of a logo image shown instead of the organisation name; none by default */
  readonly logoUrl?: string;
  /** a line of your own under every notice (address, support contact …) */
  readonly footer?: string;
  /** display name of the system sender; default: the organisation */
  readonly fromName?: string;
}

export const DEFAULT_BRANDING: Branding = { organisation: 'Secure Mail', colour: '#1f4e79' };

/**
 * Bidi overrides and isolates could reorder what a reader sees around an untrusted value; Unicode
 * line and paragraph separators (and NEL) could start a fake line in some clients.
 */
const BIDI = /[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c\u2028\u2029\u0085]/g;

/** Text (and subject) escaping: no controls, no line breaks, no bidi tricks. */
export function escapeText(s: string): string {
  return clean(s.replace(BIDI, ''));
}

export function escapeHtml(s: string): string {
  return escapeText(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const SAFE_COLOUR = /^#(?:[0-9a-f]{3}|[0-9a-f]{6})$/i;
const colourOf = (b: Branding): string => (SAFE_COLOUR.test(b.colour) ? b.colour : DEFAULT_BRANDING.colour);

const WIDTH = 72;
/** The contract line of DESIGN §5; nothing else may start a line with it. */
const PASSWORD_LINE = /^password:/i;

/**
 * Greedy word wrap at 72 columns (under the 76 of quoted-printable, so no soft breaks) for space-separated scripts (CJK text has no spaces and stays one
 * line: clients wrap it, and quoted-printable/base64 keep the wire lines short anyway). A word
 * that would start a line with "Password:" stays on the previous line, so text from a subject
 * can never pass for the password line.
 */
export function wrap(paragraph: string, width = WIDTH): string {
  const words = paragraph.split(' ');
  const lines: string[] = [];
  let line = '';
  for (const w of words) {
    if (line === '') line = w;
    else if (line.length + 1 + w.length <= width || PASSWORD_LINE.test(w)) line += ` ${w}`;
    else {
      lines.push(line);
      line = w;
    }
  }
  lines.push(line);
  return lines.join('\n');
}

function listItems(vars: TemplateVars, name: string): string[] {
  const v = vars[name];
  if (Array.isArray(v)) return (v as readonly string[]).map(String).filter((x) => x.trim() !== '');
  if (typeof v === 'string' && v.trim() !== '') return [v];
  return [];
}

const str = (v: TemplateVars[string]): string => (v === undefined || typeof v === 'boolean' ? '' : Array.isArray(v) ? v.join(', ') : String(v));

/** The text/plain body (LF line ends; the MIME writer makes them CRLF). */
export function renderTextBody(blocks: readonly Block[], vars: TemplateVars, auto: string, branding: Branding): string {
  const out: string[] = [];
  for (const b of blocks) {
    if (typeof b === 'string') {
      const p = render(b, vars, escapeText).trim();
      if (p) out.push(wrap(p));
    } else if ('list' in b) {
      const items = listItems(vars, b.list);
      if (items.length === 0) continue;
      out.push([...(b.heading ? [render(b.heading, vars, escapeText)] : []), ...items.map((i) => `  - ${escapeText(i)}`)].join('\n'));
    } else if ('password' in b) {
      out.push(`Password: ${escapeText(str(vars.password))}`);
    } else if ('link' in b) {
      const url = str(vars[b.link]);
      // Chinese and Japanese take a full-width colon
      if (url) out.push(`${render(b.label, vars, escapeText)}${/[\u3040-\u30ff\u4e00-\u9fff]$/.test(b.label) ? '：' : ':'}\n${url}`);
    } else {
      const v = str(vars[b.detail]).trim();
      if (v) out.push(wrap(`${render(b.label, vars, escapeText)}${b.label.endsWith('：') ? '' : ' '}${escapeText(v)}`));
    }
  }
  out.push(textFooter(vars, auto, branding));
  return out.join('\n\n') + '\n';
}

/** "-- " signature separator, the automatic-message line and the branding footer. */
export function textFooter(vars: TemplateVars, auto: string, branding: Branding): string {
  return ['-- ', wrap(render(auto, vars, escapeText)), ...(branding.footer ? [wrap(escapeText(branding.footer))] : [])].join('\n');
}

const P = 'margin:0 0 16px 0;';

/** The inner HTML of the body blocks (every variable escaped). */
export function renderHtmlBlocks(blocks: readonly Block[], vars: TemplateVars, linkFallback: string, branding: Branding): string {
  const out: string[] = [];
  const colour = colourOf(branding);
  for (const b of blocks) {
    if (typeof b === 'string') {
      const p = render(b, vars, escapeHtml).trim();
      if (p) out.push(`<p style="${P}">${p}</p>`);
    } else if ('list' in b) {
      const items = listItems(vars, b.list);
      if (items.length === 0) continue;
      const heading = b.heading ? `<p style="margin:0 0 4px 0;">${render(b.heading, vars, escapeHtml)}</p>` : '';
      out.push(`${heading}<ul style="${P}padding-left:24px;">${items.map((i) => `<li>${escapeHtml(i)}</li>`).join('')}</ul>`);
    } else if ('password' in b) {
      out.push(`<p style="${P}font-family:Consolas,'Courier New',monospace;font-size:17px;background:#f1f3f5;border:1px solid #d0d5db;border-radius:4px;padding:10px 14px;">Password: <strong>${escapeHtml(str(vars.password))}</strong></p>`);
    } else if ('link' in b) {
      const url = str(vars[b.link]);
      if (!url) continue;
      const href = escapeHtml(url);
      out.push(
        `<p style="${P}"><a href="${href}" style="display:inline-block;background:${colour};color:#ffffff;text-decoration:none;font-weight:bold;padding:10px 20px;border-radius:4px;">${render(b.label, vars, escapeHtml)}</a></p>` +
          `<p style="${P}font-size:12px;color:#5f6b7a;">${render(linkFallback, vars, escapeHtml)}<br><a href="${href}" style="color:${colour};word-break:break-all;">${href}</a></p>`,
      );
    } else {
      const v = str(vars[b.detail]).trim();
      if (v) out.push(`<p style="${P}"><strong>${render(b.label, vars, escapeHtml)}</strong> ${escapeHtml(v)}</p>`);
    }
  }
  return out.join('\n');
}

/** Plain text turned into HTML paragraphs (an override that gives only a .txt file). */
export function textToHtmlBlocks(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .split(/\n{2,}/)
    .map((p) => p.trim())
    .filter(Boolean)
    .map((p) => `<p style="${P}">${p.split('\n').map(escapeHtmlKeepingSpaces).join('<br>')}</p>`)
    .join('\n');
}
const escapeHtmlKeepingSpaces = (line: string): string => line.replace(BIDI, '').replace(/[\x00-\x08\x0b-\x1f\x7f]/g, '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The whole HTML document around the blocks: branded header, content, footer. */
export function htmlDocument(inner: string, opts: { lang: string; subject: string; vars: TemplateVars; auto: string; branding: Branding }): string {
  const b = opts.branding;
  const colour = colourOf(b);
  const logoUrl = str(opts.vars.logoUrl);
  const head = logoUrl
    ? `<img src="${escapeHtml(logoUrl)}" alt="${escapeHtml(b.organisation)}" style="max-height:48px;max-width:240px;border:0;">`
    : `<span style="font-size:18px;font-weight:bold;color:${colour};">${escapeHtml(b.organisation)}</span>`;
  const footer = [render(opts.auto, opts.vars, escapeHtml), ...(b.footer ? [escapeHtml(b.footer)] : [])].join('<br>');
  return [
    '<!DOCTYPE html>',
    `<html lang="${escapeHtml(opts.lang)}">`,
    '<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(opts.subject)}</title></head>`,
    '<body style="margin:0;padding:0;background:#f4f5f7;">',
    '<div style="max-width:600px;margin:0 auto;padding:24px 12px;font-family:Arial,Helvetica,sans-serif;font-size:15px;line-height:1.5;color:#1a1a1a;">',
    `<div style="background:#ffffff;border-top:4px solid ${colour};border-radius:4px;padding:24px;">`,
    `<div style="margin:0 0 20px 0;">${head}</div>`,
    inner,
    '</div>',
    `<p style="margin:16px 0 0 0;font-size:12px;color:#5f6b7a;">${footer}</p>`,
    '</div>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
