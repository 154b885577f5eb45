/**
 * HTML → text for scanning (not for display): text as a reader would see it (white space
 * collapsed, block elements on lines of their own, table cells tab-separated), plus the values of
 * href, alt, title and value attributes (a mailto: or a form field may carry the data). Script,
 * style and comment text is kept too: scanning more is the safe side of a DLP verdict.
 *
 * Hand-written, not html-to-text: measured here, html-to-text (and htmlparser2 under it) is
 * quadratic on nested markup — 50 000 nested <div> (250 KB) took 3.7 s, 1.6 s of it parsing —
 * and a synchronous library call cannot be interrupted by the extraction deadline. This is
 * one left-to-right pass of a tokenizer whose patterns never look past the next '<'.
 * SECURITY: linear in the input; nothing here throws.
 */

// a comment/doctype/processing instruction, a tag, a text run, or a stray '<'
const TOKEN = /<[!?][^<>]*>?|<(\/?)([A-Za-z][\w:-]*)([^<>]*)>?|([^<]+)|</g;
const ATTRIBUTE = /(?:^|\s)(href|alt|title|value|content)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))/gi;

const BLOCKS = new Set([
  'p', 'div', 'br', 'tr', 'li', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'table', 'thead', 'tbody', 'tfoot', 'section', 'article',
  'header', 'footer', 'aside', 'nav', 'main', 'blockquote', 'pre', 'hr', 'ul', 'ol', 'dl', 'dt', 'dd', 'title', 'form',
  'address', 'figure', 'figcaption', 'caption', 'center', 'fieldset', 'legend', 'option', 'textarea', 'body', 'html', 'head',
]);
const CELLS = new Set(['td', 'th']);

/** `stop` is polled every few thousand tokens (the extraction deadline); the text so far is returned. */
export function htmlToText(html: string, stop?: () => boolean): string {
  const out: string[] = [];
  let tokens = 0;
  let pendingBreak = '';
  const emit = (s: string): void => {
    if (pendingBreak) {
      out.push(pendingBreak);
      pendingBreak = '';
    }
    out.push(s);
  };
  for (const m of html.matchAll(TOKEN)) {
    if ((++tokens & 8191) === 0 && stop?.()) break;
    if (m[4] !== undefined) {
      const text = decodeEntities(m[4]).replace(/[ \t\r\n\f]+/g, ' ');
      if (text !== ' ' || (out.length > 0 && !pendingBreak)) emit(text);
      continue;
    }
    const name = m[2]?.toLowerCase();
    if (name === undefined) continue;
    if (BLOCKS.has(name)) pendingBreak = '\n';
    else if (CELLS.has(name) && m[1] === '/') pendingBreak ||= '\t';
    const attributes = m[3];
    if (m[1] !== '/' && attributes && attributes.length > 4) {
      for (const a of attributes.matchAll(ATTRIBUTE)) {
        const value = decodeEntities(a[2] ?? a[3] ?? a[4] ?? '').trim();
        if (value && !value.startsWith('data:')) emit(` ${value} `);
      }
    }
  }
  return out.join('').replace(/ *\n[ \n]*/g, '\n').trim();
}

/** Last resort for markup we only want the words of (XML attachments): tags become spaces. */
export function stripTags(markup: string): string {
  // [^<>] keeps this linear: a run of '<' without '>' cannot make each start rescan to the end
  return decodeEntities(markup.replace(/<[^<>]*>/g, ' '));
}

export function decodeEntities(s: string): string {
  return s.includes('&') ? s.replace(/&(#x[0-9a-f]{1,6}|#\d{1,7}|[a-z][a-z0-9]{1,7});?/gi, (m, e: string) => decodeEntity(e) ?? m) : s;
}

// HTML 4 Latin-1 entities, code points 160–255 in order, and the common others
const LATIN1 =
  'nbsp iexcl cent pound curren yen brvbar sect uml copy ordf laquo not shy reg macr deg plusmn sup2 sup3 acute micro para middot cedil sup1 ordm raquo frac14 frac12 frac34 iquest Agrave Aacute Acirc Atilde Auml Aring AElig Ccedil Egrave Eacute Ecirc Euml Igrave Iacute Icirc Iuml ETH Ntilde Ograve Oacute Ocirc Otilde Ouml times Oslash Ugrave Uacute Ucirc Uuml Yacute THORN szlig agrave aacute acirc atilde auml aring aelig ccedil egrave eacute ecirc euml igrave iacute icirc iuml eth ntilde ograve oacute ocirc otilde ouml divide oslash ugrave uacute ucirc uuml yacute thorn yuml'.split(' ');
const ENTITIES = new Map<string, string>([
  ...LATIN1.map((name, i) => [name, String.fromCharCode(160 + i)] as [string, string]),
  ['amp', '&'], ['lt', '<'], ['gt', '>'], ['quot', '"'], ['apos', "'"], ['euro', '€'], ['ndash', '–'], ['mdash', '—'],
  ['lsquo', '‘'], ['rsquo', '’'], ['sbquo', '‚'], ['ldquo', '“'], ['rdquo', '”'], ['bdquo', '„'], ['hellip', '…'], ['bull', '•'],
  ['trade', '™'], ['zwsp', '\u200b'], ['zwnj', '\u200c'], ['zwj', '\u200d'], ['ensp', '\u2002'], ['emsp', '\u2003'], ['thinsp', '\u2009'],
  ['OElig', 'Œ'], ['oelig', 'œ'], ['Scaron', 'Š'], ['scaron', 'š'], ['Yuml', 'Ÿ'], ['dagger', '†'], ['Dagger', '‡'], ['permil', '‰'],
]);

export function decodeEntity(e: string): string | undefined {
  if (e[0] === '#') {
    const code = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
    return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : undefined;
  }
  return ENTITIES.get(e) ?? ENTITIES.get(e.toLowerCase());
}
