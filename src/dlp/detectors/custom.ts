/**
 * Configured detectors: keyword lists (inline or a named dictionary), matched as whole words with
 * any run of white space between the words of a phrase, or a regular expression.
 * SECURITY: keywords are escaped, never compiled as patterns. A configured regex is the
 * administrator's own and runs as written (keep it free of nested quantifiers); it is compiled
 * once per configuration, and an expression that matches the empty string is refused by the
 * schema (it would count every position).
 */
import type { DlpConfig, DlpCustomDetector } from '../../config/dlp-schema.js';

const compiled = new WeakMap<DlpCustomDetector, RegExp>();

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function compileDetector(d: DlpCustomDetector, config: DlpConfig): RegExp {
  const cached = compiled.get(d);
  if (cached) return cached;
  const flags = `gu${d.caseSensitive ? '' : 'i'}`;
  let re: RegExp;
  if (d.regex !== undefined) {
    re = new RegExp(d.regex, flags);
  } else {
    const words = d.keywords ?? config.dictionaries[d.dictionary ?? ''] ?? [];
    // longest first, so "top secret" wins over "secret" at the same position
    const alternatives = [...words].sort((a, b) => b.length - a.length).map((w) => escapeRegex(w.trim()).replace(/\s+/g, '\\s+'));
    re = new RegExp(`(?<![\\p{L}\\p{N}_])(?:${alternatives.join('|')})(?![\\p{L}\\p{N}_])`, flags);
  }
  compiled.set(d, re);
  return re;
}

/** Matches of the detector in `text` (the matched text as written). */
export function findCustom(re: RegExp, text: string): string[] {
  const out: string[] = [];
  re.lastIndex = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    if (m[0].length === 0) {
      re.lastIndex++;
      continue;
    }
    out.push(m[0]);
  }
  return out;
}

/** Keywords are shown as found; regex hits may be identifiers: keep their two first and last characters. */
export function maskCustom(match: string, isRegex: boolean): string {
  if (!isRegex) return match.replace(/\s+/g, ' ');
  if (match.length <= 6) return '*'.repeat(match.length);
  return match.slice(0, 2) + '*'.repeat(match.length - 4) + match.slice(-2);
}
