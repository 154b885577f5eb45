/**
 * portal/notices — portal notices the Notifier has no type for yet: the sender's copy with a
 * recall link (`portal.notifySender`) and the password-reset link. Built like every other
 * notice (notify/notice.ts: X-Sealpost-Notification, Auto-Submitted, loop marker), English only
 * for now; the other portal notices (portal-message, portal-reminder, read-receipt, expired) go
 * through the Notifier and its templates. The header type is `portal-message` (the contract's
 * closest type: a notice about the portal), so the gateway never re-processes them.
 * SECURITY: subjects and addresses are cleaned by buildNotice; both links are single-use tokens
 * that only a POST consumes.
 */
import type { OutgoingNotice } from '../mail/context.js';
import { MessageDraft } from '../mime/draft.js';
import { directionFor } from '../notify/notifier.js';
import { buildNotice } from '../notify/notice.js';
import { stampForDelivery } from '../protect/finalize-stage.js';

export interface SenderNoticeOptions {
  readonly hostname: string;
  readonly node: string;
  readonly secret: Buffer;
  /** system sender address */
  readonly from: string;
  readonly internalDomains: readonly string[];
}

function compose(options: SenderNoticeOptions, n: { to: string; subject: string; lines: readonly string[]; now: number; key: string }): OutgoingNotice {
  const text = n.lines.filter((l, i, all) => l !== '' || (i > 0 && all[i - 1] !== '')).join('\n');
  const bytes = buildNotice({ type: 'portal-message', hostname: options.hostname, from: options.from, to: n.to, subject: n.subject, text, now: n.now });
  const direction = directionFor(n.to, options.internalDomains);
  const stamped = stampForDelivery(MessageDraft.parse(bytes), direction, options, n.now).toBuffer();
  return { key: n.key, recipient: n.to, direction, bytes: stamped };
}

export function composeSenderRecallNotice(
  options: SenderNoticeOptions,
  n: { to: string; recipient: string; subject: string; link: string; expires: string | undefined; now: number; key: string },
): OutgoingNotice {
  const about = n.subject ? ` "${n.subject}"` : '';
  return compose(options, {
    to: n.to,
    subject: `Sent securely${about}`,
    now: n.now,
    key: n.key,
    lines: [
      `Your message${about} to ${n.recipient} was delivered securely through the portal.`,
      n.expires ? `It can be read until ${n.expires}.` : '',
      '',
      'To withdraw it (the recipient will no longer be able to read it), open:',
      n.link,
      '',
    ],
  });
}

export function composePasswordResetNotice(options: SenderNoticeOptions, n: { to: string; link: string; now: number }): OutgoingNotice {
  return compose(options, {
    to: n.to,
    subject: 'Reset your secure mail password',
    now: n.now,
    key: `portal-reset:${n.to.toLowerCase()}`,
    lines: [
      'Someone (hopefully you) asked to reset the password of your secure mail portal account.',
      '',
      'To choose a new password, open:',
      n.link,
      '',
      'If you did not ask for this, ignore this message: your password stays as it is.',
    ],
  });
}
