/**
 * Fonts for the PDF: an ordered list of font files (config `pdf.fonts`, default DejaVu Sans for
 * Latin/Greek/Cyrillic, then Noto Sans CJK for Chinese/Japanese/Korean). Text is cut into runs,
 * each set in the first font that has a glyph for its characters; characters no font covers are
 * reported by script so the PDF can say so visibly (and the trace records it).
 *
 * SECURITY: font files come from the configuration, never from a message. A font that cannot be
 * read is a clear, reported fallback, not a crash; the first (primary) font must load.
 */
import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { SealpostError } from '../errors/index.js';

/** The part of fontkit we use (pdfkit's own dependency; it ships no types). */
interface FontkitFont {
  readonly postscriptName: string;
  hasGlyphForCodePoint(codePoint: number): boolean;
}
interface FontkitCollection {
  readonly fonts: readonly FontkitFont[];
}
const fontkit = createRequire(import.meta.url)('fontkit') as { create(data: Buffer, postscriptName?: string): FontkitFont | FontkitCollection };

export interface FontSpec {
  readonly file: string;
  /** for a font collection (.ttc): the face, e.g. NotoSansCJKjp-Regular; omitted = the first face */
  readonly postscriptName?: string;
}

export const DEFAULT_FONTS: readonly FontSpec[] = [
  { file: '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf' },
  { file: '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc', postscriptName: 'NotoSansCJKjp-Regular' },
];

export interface LoadedFont {
  /** the name the font is registered under in the document */
  readonly id: string;
  readonly data: Buffer;
  readonly postscriptName: string | undefined;
  readonly face: FontkitFont;
}

export interface FontSet {
  readonly fonts: readonly LoadedFont[];
  /** fonts of the configuration that could not be loaded, with the reason */
  readonly unavailable: readonly { file: string; reason: string }[];
}

export interface TextRun {
  readonly font: string;
  readonly text: string;
}

const cache = new Map<string, { mtimeMs: number; font: LoadedFont }>();

function loadOne(spec: FontSpec, id: string): LoadedFont {
  const key = `${spec.file}\u0000${spec.postscriptName ?? ''}`;
  const mtimeMs = statSync(spec.file).mtimeMs;
  const hit = cache.get(key);
  if (hit && hit.mtimeMs === mtimeMs) return { ...hit.font, id };
  const data = readFileSync(spec.file);
  const created = fontkit.create(data, spec.postscriptName);
  let face: FontkitFont;
  let postscriptName = spec.postscriptName;
  if ('fonts' in created) {
    // a collection and no face named: take the first one, and tell pdfkit its name
    face = created.fonts[0]!;
    postscriptName = face.postscriptName;
  } else {
    face = created;
  }
  if (!face || typeof face.hasGlyphForCodePoint !== 'function') throw new Error(`no face ${spec.postscriptName ?? ''} in the file`);
  const font: LoadedFont = { id, data, postscriptName, face };
  cache.set(key, { mtimeMs, font });
  return font;
}

/** Loads the configured fonts; missing ones are reported, not fatal — except when none loads. */
export function loadFonts(specs: readonly FontSpec[]): FontSet {
  const fonts: LoadedFont[] = [];
  const unavailable: { file: string; reason: string }[] = [];
  specs.forEach((spec, i) => {
    try {
      fonts.push(loadOne(spec, `f${i}`));
    } catch (err) {
      const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : err instanceof Error ? err.message : String(err);
      unavailable.push({ file: spec.file, reason });
    }
  });
  if (fonts.length === 0) {
    throw new SealpostError('SP_ERR_PDF_FONT_MISSING', `none of the configured fonts could be loaded (${unavailable.map((u) => `${u.file}: ${u.reason}`).join('; ')})`, { stage: 'pdf' });
  }
  return { fonts, unavailable };
}

/** Script names for characters no font covers (for the visible note). */
const SCRIPTS: ReadonlyArray<readonly [number, number, string]> = [
  [0x0370, 0x03ff, 'Greek'],
  [0x0400, 0x052f, 'Cyrillic'],
  [0x0530, 0x058f, 'Armenian'],
  [0x0590, 0x05ff, 'Hebrew'],
  [0x0600, 0x06ff, 'Arabic'],
  [0x0900, 0x097f, 'Devanagari'],
  [0x0980, 0x09ff, 'Bengali'],
  [0x0b80, 0x0bff, 'Tamil'],
  [0x0e00, 0x0e7f, 'Thai'],
  [0x10a0, 0x10ff, 'Georgian'],
  [0x1100, 0x11ff, 'Korean (Hangul)'],
  [0x3040, 0x30ff, 'Japanese (Kana)'],
  [0x3100, 0x312f, 'Chinese (Bopomofo)'],
  [0x3130, 0x318f, 'Korean (Hangul)'],
  [0x3400, 0x4dbf, 'CJK (Han)'],
  [0x4e00, 0x9fff, 'CJK (Han)'],
  [0xac00, 0xd7af, 'Korean (Hangul)'],
  [0xf900, 0xfaff, 'CJK (Han)'],
  [0xff00, 0xffef, 'CJK (full-width forms)'],
  [0x1f300, 0x1faff, 'Emoji'],
  [0x20000, 0x3134f, 'CJK (Han)'],
];

export function scriptOf(codePoint: number): string {
  for (const [from, to, name] of SCRIPTS) if (codePoint >= from && codePoint <= to) return name;
  return `U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** Characters that take the font of their neighbours (spaces, joiners, variation selectors, marks). */
const neutral = (cp: number) => cp <= 0x20 || cp === 0xa0 || (cp >= 0x200b && cp <= 0x200f) || (cp >= 0xfe00 && cp <= 0xfe0f) || (cp >= 0x0300 && cp <= 0x036f);

/**
 * Cuts text into runs by font: each character goes to the first font with a glyph for it;
 * characters none covers stay in the current font (they show as empty boxes) and are counted
 * in `missing` by script.
 */
export function splitRuns(text: string, set: FontSet, missing: Map<string, number>): TextRun[] {
  const runs: TextRun[] = [];
  const primary = set.fonts[0]!.id;
  let font: string | null = null;
  let buf = '';
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    let chosen: string | null = null;
    if (!neutral(cp)) {
      chosen = set.fonts.find((f) => f.face.hasGlyphForCodePoint(cp))?.id ?? null;
      if (chosen === null) {
        const script = scriptOf(cp);
        missing.set(script, (missing.get(script) ?? 0) + 1);
        chosen = font ?? primary;
      }
    }
    if (chosen !== null && font !== null && chosen !== font) {
      runs.push({ font, text: buf });
      buf = '';
    }
    if (chosen !== null) font = chosen;
    buf += ch;
  }
  if (buf) runs.push({ font: font ?? primary, text: buf });
  return runs;
}
