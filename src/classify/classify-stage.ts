/**
 * classify/ — facts about a message that later stages decide on: loop marker, encrypted/signed,
 * auto-submitted, hop count, and which of our own notices it is.
 *
 * SECURITY: incoming copies of our status headers are removed here, before any other stage, so
 * no sender can forge a verdict (DESIGN §5): X-Sealpost-Action, -Signature always; -Notification
 * and -Processed unless the marker is authentic. Trigger/override headers (X-Sealpost-Encrypt …)
 * are kept for the policy stage, which honours them only for internal senders; finalize removes them.
 * STANDARDS: RFC 3834 (Auto-Submitted), RFC 8551, RFC 3156.
 */
import type { MessageContext } from '../mail/context.js';
import { outcome, type Outcome } from '../mail/outcome.js';
import type { Step } from '../mail/step.js';
import type { MessageDraft } from '../mime/draft.js';
import { detectCrypto } from './content-type.js';
import { PROCESSED_HEADER, verifyMarker } from './loop-marker.js';

export const STATUS_HEADERS = ['X-Sealpost-Action', 'X-Sealpost-Signature'] as const;
export const NOTIFICATION_HEADER = 'X-Sealpost-Notification';

export interface ClassifyOptions {
  readonly secret: Buffer;
}

export function classifyStep(options: ClassifyOptions): Step {
  return {
    name: 'classify',
    securityCritical: true,
    action: (msg, branch) => classify(msg, branch.draft, options),
  };
}

function classify(msg: MessageContext, draft: MessageDraft, options: ClassifyOptions): Outcome {
  const now = msg.now();
  const messageId = draft.get('Message-ID');
  const markers = draft.getAll(PROCESSED_HEADER).map((v) => verifyMarker(options.secret, v, messageId, now));
  const marker = markers.find((m) => m !== null) ?? null;
  const notification = marker ? (draft.get(NOTIFICATION_HEADER)?.toLowerCase() ?? null) : null;
  let cleaned = draft.without(...STATUS_HEADERS);
  if (!marker) cleaned = cleaned.without(PROCESSED_HEADER, NOTIFICATION_HEADER);
  const crypto = detectCrypto(cleaned);
  const autoSubmitted = (cleaned.get('Auto-Submitted') ?? 'no').toLowerCase() !== 'no';
  msg.facts = {
    processedMarker: marker ? { direction: marker.direction, node: marker.node } : null,
    encrypted: crypto.encrypted,
    signed: crypto.signed,
    autoSubmitted,
    notification,
    hops: cleaned.getAll('Received').length,
  };
  const removed = draft.fields.length - cleaned.fields.length;
  const facts = [
    crypto.encrypted ? `encrypted=${crypto.encrypted}` : null,
    crypto.signed ? `signed=${crypto.signed}` : null,
    marker ? `processed-by=${marker.node}/${marker.direction}` : null,
    removed > 0 ? `stripped ${removed} forged status header(s)` : null,
  ].filter(Boolean);
  msg.trace.add('classify', 'facts', facts.length > 0 ? facts.join(', ') : 'plain message');
  return outcome.continue(cleaned);
}
