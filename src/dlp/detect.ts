/**
 * Runs one detector over a content index. Results are cached per index and detector, so rules
 * evaluated once per recipient do not rescan the message.
 * Built-ins scan the subject, bodies and attachments (not the header block: Message-IDs and
 * Received lines are full of numbers and addresses) and count distinct values; custom detectors
 * scan where configured and count occurrences unless `distinct`.
 */
import { BUILTIN_DETECTORS, type BuiltinDetector, type DlpConfig, type DlpScanArea } from '../config/dlp-schema.js';
import { SealpostError } from '../errors/index.js';
import { findAbaRoutings, maskAba } from './detectors/aba.js';
import { findCards, maskCard } from './detectors/cards.js';
import { compileDetector, findCustom, maskCustom } from './detectors/custom.js';
import { findEmails, maskEmail } from './detectors/emails.js';
import { findIbans, maskIban } from './detectors/iban.js';
import { findSsns, maskSsn } from './detectors/ssn.js';
import type { ContentIndex, DetectionResult, ScannedText, TextWhere } from './types.js';

const MAX_LISTED = 20;
const BUILTIN_SCAN: readonly DlpScanArea[] = ['subject', 'body', 'attachments'];
const AREA_OF: Readonly<Record<TextWhere, DlpScanArea>> = { header: 'headers', subject: 'subject', body: 'body', attachment: 'attachments' };

const BUILTINS: Readonly<Record<BuiltinDetector, { find: (text: string) => string[]; mask: (value: string) => string }>> = {
  'credit-card': { find: findCards, mask: maskCard },
  iban: { find: findIbans, mask: maskIban },
  'us-ssn': { find: findSsns, mask: maskSsn },
  'aba-routing': { find: findAbaRoutings, mask: maskAba },
  'email-addresses': { find: findEmails, mask: maskEmail },
};

const cache = new WeakMap<ContentIndex, WeakMap<DlpConfig, Map<string, DetectionResult>>>();
// Hits per text object as well: callers narrowing an index (a rule's `where`) build a new index
// object each time, but its texts are the same objects, so a message with many recipients and
// rules is still scanned once per detector.
const textHits = new WeakMap<ScannedText, Map<string | RegExp, TextHits>>();

interface TextHits {
  /** occurrences in this text */
  readonly count: number;
  /** distinct values (after the detector's case folding) → masked form */
  readonly distinct: ReadonlyMap<string, string>;
}

function hitsOf(t: ScannedText, memoKey: string | RegExp, find: (text: string) => string[], key: (v: string) => string, mask: (v: string) => string): TextHits {
  let perText = textHits.get(t);
  const known = perText?.get(memoKey);
  if (known) return known;
  const values = find(t.text);
  const distinct = new Map<string, string>();
  for (const v of values) {
    const k = key(v);
    if (!distinct.has(k)) distinct.set(k, mask(v));
  }
  const hits = { count: values.length, distinct };
  if (!perText) textHits.set(t, (perText = new Map()));
  perText.set(memoKey, hits);
  return hits;
}

export function isKnownDetector(name: string, config: DlpConfig): boolean {
  return (BUILTIN_DETECTORS as readonly string[]).includes(name) || Object.hasOwn(config.detectors, name);
}

/**
 * Runs `detector` (a built-in name or a key of `config.detectors`) over `index`, in the
 * detector's own scan areas or, when given, in `areas` (a rule's explicit `where`: built-ins skip
 * the header block unless asked, e.g. to count the addresses in To and Cc).
 * Throws SP_ERR_DLP_UNKNOWN_DETECTOR for a name that is neither — a configuration error that
 * `sealpost check` should already have refused.
 */
export function detect(index: ContentIndex, detector: string, config: DlpConfig, areas?: readonly DlpScanArea[]): DetectionResult {
  const key = areas ? `${detector}\u0000${areas.join(',')}` : detector;
  let perIndex = cache.get(index);
  let perConfig = perIndex?.get(config);
  const hit = perConfig?.get(key);
  if (hit) return hit;
  const result = run(index, detector, config, areas);
  if (!perIndex) cache.set(index, (perIndex = new WeakMap()));
  if (!perConfig) perIndex.set(config, (perConfig = new Map()));
  perConfig.set(key, result);
  return result;
}

function run(index: ContentIndex, detector: string, config: DlpConfig, areas: readonly DlpScanArea[] | undefined): DetectionResult {
  let scan: readonly DlpScanArea[];
  let find: (text: string) => string[];
  let memoKey: string | RegExp = detector;
  let mask: (value: string) => string;
  let key: (value: string) => string = (v) => v;
  let threshold = 1;
  let distinct = true;
  if ((BUILTIN_DETECTORS as readonly string[]).includes(detector)) {
    ({ find, mask } = BUILTINS[detector as BuiltinDetector]);
    scan = BUILTIN_SCAN;
  } else if (Object.hasOwn(config.detectors, detector)) {
    const d = config.detectors[detector]!;
    const re = compileDetector(d, config);
    const isRegex = d.regex !== undefined;
    find = (text) => findCustom(re, text);
    memoKey = re; // one compiled expression per detector definition: a changed config never reuses old hits
    mask = (v) => maskCustom(v, isRegex);
    if (!d.caseSensitive) key = (v) => v.toLowerCase().replace(/\s+/g, ' ');
    scan = d.scan;
    threshold = d.threshold;
    distinct = d.distinct;
  } else {
    throw new SealpostError('SP_ERR_DLP_UNKNOWN_DETECTOR', `no detector named "${detector}" (built-ins: ${BUILTIN_DETECTORS.join(', ')}; others go in dlp.detectors)`, { detector });
  }

  if (areas) scan = areas;
  const seen = new Map<string, string>(); // key → masked
  let occurrences = 0;
  // text and HTML alternatives say the same thing: count the larger branch, not both
  const alternatives = new Map<string, Map<number, number>>();
  for (const t of index.texts) {
    if (!scan.includes(AREA_OF[t.where])) continue;
    const hits = hitsOf(t, memoKey, find, key, mask);
    for (const [k, masked] of hits.distinct) if (!seen.has(k)) seen.set(k, masked);
    if (t.alternative) {
      const branches = alternatives.get(t.alternative.group) ?? new Map<number, number>();
      branches.set(t.alternative.branch, (branches.get(t.alternative.branch) ?? 0) + hits.count);
      alternatives.set(t.alternative.group, branches);
    } else {
      occurrences += hits.count;
    }
  }
  for (const branches of alternatives.values()) occurrences += Math.max(...branches.values());
  const found = distinct ? seen.size : occurrences;
  // below the detector's own threshold the hits do not count at all, so a rule's `atLeast`
  // (default 1) can never undercut the threshold the detector was configured with
  const count = found >= threshold ? found : 0;
  const unscannable = scan.includes('body') || scan.includes('attachments') ? index.unscannable.map((u) => u.path) : [];
  return { detector, count, found, matches: [...seen.values()].slice(0, MAX_LISTED), threshold, hit: count > 0, unscannable };
}

/**
 * The verdict of a rule condition `dlp: { detector, atLeast }`: enough hits (atLeast, else the
 * detector's threshold), or — with `dlp.unscannable: match`, the default — any part in the
 * detector's areas that could not be scanned (fail closed: an encrypted ZIP must not be a way out).
 */
export function dlpConditionHolds(result: DetectionResult, atLeast: number | undefined, config: DlpConfig): boolean {
  if (result.count >= (atLeast ?? result.threshold)) return true;
  return config.unscannable === 'match' && result.unscannable.length > 0;
}
