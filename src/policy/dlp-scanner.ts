/** The DLP engine (src/dlp) as the policy stage's ContentScanner, configured by the `dlp` section. */
import { detect, indexContent, type DlpConfig } from '../dlp/index.js';
import type { ContentScanner } from './content.js';

export function dlpScanner(config: DlpConfig): ContentScanner {
  return {
    index: (raw) => indexContent(raw, config.limits),
    detect: (index, detector) => detect(index, detector, config),
    unscannableMatches: config.unscannable === 'match',
  };
}
