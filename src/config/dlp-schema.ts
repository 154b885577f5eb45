/**
 * Schema of the `dlp` section (DESIGN §4): limits of the content extractor, what an unscannable
 * part means, named dictionaries and custom detectors (keyword lists, regular expressions).
 * The built-in detectors (credit-card, iban, us-ssn, aba-routing, email-addresses) need no
 * configuration; custom detector names must not shadow them.
 * SECURITY: the limits bound what hostile mail can make the extractor do (zip bombs, deep
 * nesting, 10 000-part messages, PDFs that never finish); the defaults are safe, raise with care.
 */
import { z } from 'zod';
import { duration, size } from './fields.js';

export const BUILTIN_DETECTORS = ['credit-card', 'iban', 'us-ssn', 'aba-routing', 'email-addresses'] as const;
export type BuiltinDetector = (typeof BUILTIN_DETECTORS)[number];

/** Where a detector looks: the top-level header block, the subject, inline bodies, attachments (incl. nested mail and archive members). */
export const DLP_SCAN_AREAS = ['headers', 'subject', 'body', 'attachments'] as const;
export type DlpScanArea = (typeof DLP_SCAN_AREAS)[number];

function isValidRegex(source: string, flags = ''): boolean {
  try {
    new RegExp(source, flags);
    return true;
  } catch {
    return false;
  }
}

const NAME = /^[a-z0-9][a-z0-9_-]*$/i;

const limits = z
  .strictObject({
    maxDepth: z.number().int().min(1).max(50).default(10).describe('nesting levels followed (multipart, message/rfc822, archives inside archives); deeper parts are unscannable'),
    maxParts: z.number().int().min(1).default(1000).describe('MIME parts plus archive members (and the parts of Office documents read) examined per message; the rest is unscannable'),
    maxDecompressedBytes: size.prefault('50MB').describe('bytes produced by decompressing archive members and documents, per message'),
    maxRatio: z.number().positive().default(100).describe('decompressed / compressed size above which an archive member counts as a bomb (checked while inflating, once 1 MB came out)'),
    maxExtractMs: z
      .union([z.number().int().positive(), duration])
      .prefault('10s')
      .describe('time for extracting one message (a duration like 10s, or milliseconds); PDF text extraction runs in a worker that is stopped at this deadline'),
    maxTextBytes: size.prefault('20MB').describe('extracted text kept per message; text beyond is cut and the part marked unscannable'),
  })
  .prefault({})
  .describe('what one message may make the content extractor do; whatever is beyond a limit is unscannable (docs/dlp.md)');

const detectorBase = {
  threshold: z.number().int().min(1).default(1).describe('the detector matches when it counts at least this many hits'),
  caseSensitive: z.boolean().default(false).describe('match case exactly'),
  scan: z.array(z.enum(DLP_SCAN_AREAS)).min(1).default(['subject', 'body', 'attachments']).describe('where to look'),
  distinct: z.boolean().default(false).describe('count each different matched text once'),
};

const customDetector = z
  .strictObject({
    description: z.string().optional(),
    keywords: z.array(z.string().min(1)).optional().describe('phrases; matched as whole words'),
    dictionary: z.string().optional().describe('name of a list in dlp.dictionaries, matched like keywords'),
    regex: z.string().optional().describe('a JavaScript regular expression (no flags; use caseSensitive)'),
    ...detectorBase,
  })
  .superRefine((d, ctx) => {
    const kinds = [d.keywords, d.dictionary, d.regex].filter((k) => k !== undefined).length;
    if (kinds !== 1) ctx.addIssue({ code: 'custom', message: 'give exactly one of keywords, dictionary, regex', input: d });
    if (d.regex !== undefined && !isValidRegex(d.regex, 'gu')) ctx.addIssue({ code: 'custom', path: ['regex'], message: 'not a valid regular expression', input: d.regex });
    if (d.regex !== undefined && isValidRegex(d.regex, 'gu') && new RegExp(d.regex, 'gu').test('')) {
      ctx.addIssue({ code: 'custom', path: ['regex'], message: 'the regular expression matches the empty string', input: d.regex });
    }
  });

export const dlpSchema = z
  .strictObject({
    limits,
    unscannable: z
      .enum(['match', 'ignore'])
      .default('match')
      .describe('what a part that could not be scanned (encrypted archive, limit reached, broken PDF …) means for a dlp condition: `match` = treat as if the detector hit (fail closed), `ignore` = judge only what was scanned'),
    dictionaries: z.record(z.string().regex(NAME), z.array(z.string().min(1)).min(1)).default({}).describe('named keyword lists, used by detectors with `dictionary:`'),
    detectors: z
      .record(z.string().regex(NAME, { message: 'expected a name of letters, digits, - and _' }), customDetector)
      .default({})
      .describe('custom detectors by name, used in rules as `dlp: { detector: <name> }`'),
  })
  .superRefine((dlp, ctx) => {
    for (const [name, d] of Object.entries(dlp.detectors)) {
      if ((BUILTIN_DETECTORS as readonly string[]).includes(name)) ctx.addIssue({ code: 'custom', path: ['detectors', name], message: `"${name}" is a built-in detector`, input: name });
      if (d.dictionary !== undefined && !(d.dictionary in dlp.dictionaries)) {
        ctx.addIssue({ code: 'custom', path: ['detectors', name, 'dictionary'], message: `no dictionary named "${d.dictionary}" in dlp.dictionaries`, input: d.dictionary });
      }
    }
  })
  .prefault({});

export type DlpConfig = z.output<typeof dlpSchema>;
export type DlpCustomDetector = DlpConfig['detectors'][string];

/** Names a `dlp` condition may use: the built-ins and the configured detectors. */
export function detectorNames(config: DlpConfig): string[] {
  return [...BUILTIN_DETECTORS, ...Object.keys(config.detectors)];
}
