/** The DLP engine (src/dlp) as the policy stage's ContentScanner, configured by the `dlp` section. */
import { detect, indexContent, type DlpConfig } from '../dlp/index.js';
import type { TextArea } from '../config/policy-schema.js';
import type { DlpScanArea } from '../config/dlp-schema.js';
import type { ContentScanner } from './content.js';

const AREA: Record<TextArea, DlpScanArea> = { header: 'headers', subject: 'subject', body: 'body', attachment: 'attachments' };

export function dlpScanner(config: DlpConfig): ContentScanner {
  return {
    index: (raw) => indexContent(raw, config.limits),
    // a rule's `where` names the areas the detector looks at (built-ins skip headers otherwise)
    detect: (index, detector, where) => detect(index, detector, config, where?.map((w) => AREA[w])),
    unscannableMatches: config.unscannable === 'match',
  };
}
