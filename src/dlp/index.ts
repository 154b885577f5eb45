/**
 * dlp/ — the content index of a message and the detectors that run over it (DESIGN §4 `dlp`).
 *
 *   const index = await indexContent(raw, config.dlp.limits);   // once per message, never throws
 *   const r = detect(index, 'credit-card', config.dlp);          // cached per index + detector
 *   if (dlpConditionHolds(r, atLeast, config.dlp)) …
 *
 * SECURITY: indexContent reads hostile input under the limits of DlpLimits; whatever it cannot
 * read becomes an `unscannable` entry with a reason, which `dlp.unscannable` turns into a verdict.
 */
import { Collector } from './collector.js';
import { walkMessage } from './mime-walk.js';
import type { ContentIndex, DlpLimits } from './types.js';
import './extractors.js';

export type { AttachmentInfo, ContentIndex, DetectionResult, DlpConfig, DlpLimits, ScannedText, TextWhere, Unscannable } from './types.js';
export { detect, dlpConditionHolds, isKnownDetector } from './detect.js';
export { BUILTIN_DETECTORS, detectorNames, type BuiltinDetector } from '../config/dlp-schema.js';

/** Builds the content index of `raw` (a whole RFC 5322 message). Never throws on hostile input. */
export async function indexContent(raw: Buffer, limits: DlpLimits): Promise<ContentIndex> {
  const c = new Collector(limits);
  try {
    await walkMessage(raw, '', 0, false, c);
  } catch (err) {
    // a bug or an exhausted stack must not let content through unscanned: say so
    c.markUnscannable('', `extraction failed: ${err instanceof Error ? err.message.slice(0, 120) : 'unknown error'}`);
  }
  return c.result();
}
