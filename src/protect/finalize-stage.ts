/**
 * The last step before the queue: removes trigger and override headers (they are requests to us,
 * never for the recipient), makes sure the message has a Message-ID (the loop marker is bound to
 * it) and stamps X-Sealpost-Processed (DESIGN §5).
 */
import { randomUUID } from 'node:crypto';
import type { Direction } from '../mail/envelope.js';
import { outcome, type RouteName } from '../mail/outcome.js';
import type { Step } from '../mail/step.js';
import { MessageDraft } from '../mime/draft.js';
import { PROCESSED_HEADER, stampMarker } from '../classify/loop-marker.js';

/** Headers senders and add-ins set to ask something of the gateway (Cisco X-PostX-* aliases too). */
export const REQUEST_HEADER_PATTERN = /^x-(sealpost-(encrypt|expiration|read-receipt|allow-reply|allow-reply-all|allow-forward|sms-number)|postx-.*)$/i;

export interface FinalizeOptions {
  readonly secret: Buffer;
  readonly node: string;
  readonly hostname: string;
}

export function stampForDelivery(draft: MessageDraft, direction: Direction, options: FinalizeOptions, now: number): MessageDraft {
  let out = draft.filter((f) => !REQUEST_HEADER_PATTERN.test(f.name)).without(PROCESSED_HEADER);
  let messageId = out.get('Message-ID');
  if (!messageId) {
    messageId = `<${randomUUID()}@${options.hostname}>`;
    // Prepended, so the sender's header block stays one contiguous, unchanged byte run.
    out = out.prepend('Message-ID', messageId);
  }
  return out.prepend(PROCESSED_HEADER, stampMarker(options.secret, options.node, direction, messageId, now));
}

export function finalizeStep(direction: Direction, options: FinalizeOptions): Step {
  return {
    name: 'finalize',
    securityCritical: true,
    action: (msg, branch) => {
      const route: RouteName = branch.facts.route ? `route:${branch.facts.route}` : direction;
      const plaintext = branch.facts.tlsInstead?.plaintext;
      if (plaintext) {
        // the plaintext form of a TLS-instead item leaves us too: same stamping as the draft
        const draft = MessageDraft.parse(Buffer.from(plaintext.buffer, plaintext.byteOffset, plaintext.byteLength));
        branch.facts.tlsInstead!.plaintext = stampForDelivery(draft, direction, options, msg.now()).toBuffer();
      }
      return outcome.queue(route, stampForDelivery(branch.draft, direction, options, msg.now()));
    },
  };
}
