/**
 * Mail HTML made safe to show: sanitize-html with an allow-list (formatting, tables, links,
 * images), then wrapped into the document that goes into the message page's
 * `<iframe sandbox srcdoc>` with a CSP of its own.
 * SECURITY: mail HTML is hostile. Four layers, any one of which stops script and remote loads:
 * 1. the allow-list drops script, style elements, event handlers, forms, frames, objects, SVG,
 *    meta/base/link; `style` attributes keep only listed properties whose values cannot fetch
 *    (no url(), image-set(), var(), escapes) — CSS exfiltration needs a fetch;
 * 2. images keep only data: URIs of raster types and cid: references (inlined as data:);
 *    remote images are dropped (their alt text stays), so no tracking pixel fires;
 * 3. the frame is sandboxed without allow-scripts and allow-same-origin (an opaque origin that
 *    can neither run script nor read our cookies or DOM);
 * 4. the srcdoc document carries `default-src 'none'; img-src data:; style-src 'unsafe-inline'`,
 *    on top of the message page's own policy, which srcdoc documents inherit.
 * Links open in a new browsing context outside the sandbox (allow-popups-to-escape-sandbox) with
 * rel=noopener noreferrer, so the portal URL (and its token-free path) is not leaked as Referer.
 */
import sanitizeHtml from 'sanitize-html';
import { escapeHtml } from './html.js';
import type { ViewPart } from './mime-view.js';

/** CSS values that could fetch or hide a fetch: url(), image-set(), element(), var(), attr(), escapes, @import */
const FETCHING = /url|image|element|var\(|attr\(|expression|\\|@|javascript|behavior|binding/i;
const safeValue = (allowed: RegExp): RegExp[] => [new RegExp(`^(?!.*(?:${FETCHING.source}))(?:${allowed.source})$`, 'i')];

const COLOR = /[#a-z0-9(),.%\s-]{1,64}/;
const LENGTH = /(?:-?[\d.]+(?:px|em|rem|%|pt|ex|ch|vw|vh)?\s*){1,4}|auto|0/;
const BORDER = /[\w\s#.%(),-]{1,80}/;

const STYLES: Record<string, RegExp[]> = {
  color: safeValue(COLOR),
  'background-color': safeValue(COLOR),
  'text-align': safeValue(/left|right|center|justify|start|end/),
  'vertical-align': safeValue(/top|middle|bottom|baseline/),
  'font-size': safeValue(LENGTH),
  'font-weight': safeValue(/normal|bold|bolder|lighter|\d{3}/),
  'font-style': safeValue(/normal|italic|oblique/),
  'font-family': safeValue(/[\w\s,'"-]{1,120}/),
  'text-decoration': safeValue(/none|underline|line-through|overline/),
  'line-height': safeValue(LENGTH),
  'white-space': safeValue(/normal|nowrap|pre|pre-wrap|pre-line/),
  margin: safeValue(LENGTH), 'margin-top': safeValue(LENGTH), 'margin-bottom': safeValue(LENGTH), 'margin-left': safeValue(LENGTH), 'margin-right': safeValue(LENGTH),
  padding: safeValue(LENGTH), 'padding-top': safeValue(LENGTH), 'padding-bottom': safeValue(LENGTH), 'padding-left': safeValue(LENGTH), 'padding-right': safeValue(LENGTH),
  width: safeValue(LENGTH), 'max-width': safeValue(LENGTH), height: safeValue(LENGTH),
  border: safeValue(BORDER), 'border-top': safeValue(BORDER), 'border-bottom': safeValue(BORDER), 'border-left': safeValue(BORDER), 'border-right': safeValue(BORDER), 'border-collapse': safeValue(/collapse|separate/),
  display: safeValue(/block|inline|inline-block|none|table|table-cell|table-row/),
};

const RASTER_DATA = /^data:image\/(?:png|gif|jpeg|webp);base64,[A-Za-z0-9+/=\s]+$/i;
/** inline images above this are not inlined (the srcdoc attribute would grow without bound) */
const MAX_INLINE_IMAGE = 2 * 1024 * 1024;

export interface SanitizeResult {
  readonly html: string;
  /** remote images removed (the page can say "remote images blocked") */
  readonly blockedImages: number;
}

export function sanitizeMailHtml(dirty: string, inline: ReadonlyMap<string, ViewPart> = new Map()): SanitizeResult {
  let blockedImages = 0;
  const html = sanitizeHtml(dirty, {
    allowedTags: [...sanitizeHtml.defaults.allowedTags.filter((t) => t !== 'style'), 'img', 'font', 'center', 'del', 'ins', 'big', 'u'],
    disallowedTagsMode: 'discard',
    allowedAttributes: {
      a: ['href', 'name', 'title', 'target', 'rel'],
      img: ['src', 'alt', 'width', 'height', 'title'],
      table: ['width', 'border', 'cellpadding', 'cellspacing', 'align', 'bgcolor', 'summary'],
      td: ['colspan', 'rowspan', 'align', 'valign', 'width', 'bgcolor'],
      th: ['colspan', 'rowspan', 'align', 'valign', 'width', 'bgcolor', 'scope'],
      tr: ['align', 'valign', 'bgcolor'],
      font: ['color', 'size', 'face'],
      ol: ['start', 'type'],
      '*': ['style', 'dir', 'lang', 'title', 'align'],
    },
    allowedStyles: { '*': STYLES },
    allowedSchemes: ['http', 'https', 'mailto'],
    allowedSchemesByTag: { img: ['data'] },
    allowedSchemesAppliedToAttributes: ['href', 'src'],
    allowProtocolRelative: false,
    parseStyleAttributes: true,
    transformTags: {
      a: (tagName, attribs) => ({ tagName, attribs: { ...attribs, target: '_blank', rel: 'noopener noreferrer' } }),
      img: (tagName, attribs) => {
        const src = (attribs.src ?? '').trim();
        const rest = { ...attribs };
        delete rest.src;
        if (/^cid:/i.test(src)) {
          let cid: string;
          try {
            cid = decodeURIComponent(src.slice(4));
          } catch {
            cid = ''; // a malformed escape must not make the whole message unreadable (URIError)
          }
          const part = cid ? inline.get(cid.replace(/^<|>$/g, '')) : undefined;
          if (part && /^image\/(png|gif|jpeg|webp)$/.test(part.contentType) && part.data.length <= MAX_INLINE_IMAGE) return { tagName, attribs: { ...rest, src: `data:${part.contentType};base64,${part.data.toString('base64')}` } };
          return { tagName, attribs: rest };
        }
        if (RASTER_DATA.test(src)) return { tagName, attribs: { ...rest, src } };
        if (src) blockedImages++;
        return { tagName, attribs: rest };
      },
    },
  });
  return { html, blockedImages };
}

/** The CSP of the frame's document: no fetch at all except inline data: images. */
export const FRAME_CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; font-src 'none'; form-action 'none'; base-uri 'none'";

/** The whole document for the sandboxed frame's srcdoc attribute (escape it when interpolating). */
export function frameDocument(cleanHtml: string, lang: string): string {
  return `<!doctype html><html lang="${escapeHtml(lang)}"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="${FRAME_CSP}"><meta name="referrer" content="no-referrer"><style>body{font:15px/1.5 system-ui,sans-serif;color:#1b1f24;margin:12px;overflow-wrap:anywhere}img{max-width:100%;height:auto}table{max-width:100%}</style></head><body>${cleanHtml}</body></html>`;
}
