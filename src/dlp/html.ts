/**
 * HTML → text for scanning (not for display): visible text, link targets (a mailto: or a URL may
 * carry the data), alt texts; no word wrapping, so numbers are never split across lines.
 * SECURITY: html-to-text walks the DOM recursively; its own depth/child limits keep hostile
 * nesting from exhausting the stack, and any failure falls back to stripping tags with a linear
 * regex, so an HTML body is never left unscanned.
 */
import { convert } from 'html-to-text';

const OPTIONS = {
  wordwrap: false as const,
  preserveNewlines: false,
  decodeEntities: true,
  limits: { maxDepth: 400, maxChildNodes: 100_000, ellipsis: ' ', maxInputLength: 64 * 1024 * 1024 },
  selectors: [
    { selector: 'a', options: { ignoreHref: false, hideLinkHrefIfSameAsText: true } },
    { selector: 'img', format: 'skip' },
    { selector: 'table', format: 'dataTable' },
  ],
};

export function htmlToText(html: string): string {
  try {
    return convert(html, OPTIONS);
  } catch {
    return stripTags(html);
  }
}

const ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

/** Last resort: drop tags (script and style content is kept: scanning it is harmless), decode the common and numeric entities. */
export function stripTags(html: string): string {
  // [^<>] keeps this linear: a run of '<' without '>' cannot make each start rescan to the end
  return html
    .replace(/<[^<>]*>/g, ' ')
    .replace(/&(#x[0-9a-f]{1,6}|#\d{1,7}|[a-z]{2,6});/gi, (m, e: string) => decodeEntity(e) ?? m);
}

export function decodeEntity(e: string): string | undefined {
  if (e[0] === '#') {
    const code = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
    return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : undefined;
  }
  return ENTITIES[e.toLowerCase()];
}
