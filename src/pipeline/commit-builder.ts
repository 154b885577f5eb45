/**
 * Turns one pipeline run's terminal branches into the PipelineCommit the spool settles atomically:
 * queue items (one per recipient, sharing a body per branch), quarantine entries, sender notices
 * for bounces, and a deferral for whatever must run again.
 */
import { envelopeAddress, type Branch, type MessageContext, type OutgoingNotice } from '../mail/context.js';
import { newId } from '../mail/ids.js';
import type { TerminalOutcome } from '../mail/outcome.js';
import type { NewQueueBody, NewQueueItem } from '../queue/types.js';
import type { NewQuarantineEntry, PipelineCommit, QuarantineRelease } from '../spool/types.js';
import type { TerminalBranch } from './runner.js';
import type { BounceNotifier } from '../mail/notices.js';

export type { BounceNotifier, SenderNotice } from '../mail/notices.js';

export interface CommitOptions {
  readonly giveUpAfterMs: number;
  readonly notifier: BounceNotifier;
  /** fallback wait before re-running a deferred message when the step named no time */
  readonly deferMs: (previousFailures: number) => number;
}

export function buildCommit(msg: MessageContext, done: readonly TerminalBranch[], options: CommitOptions, previousFailures: number): PipelineCommit {
  const now = msg.now();
  const bodies: NewQueueBody[] = [];
  const items: NewQueueItem[] = [];
  const quarantine: NewQuarantineEntry[] = [];
  const settled: string[] = [];
  let deferUntil: number | null = null;
  const deferReasons: string[] = [];

  const queueBody = (bytes: Buffer): string => {
    const id = newId(now);
    bodies.push({ id, messageId: msg.id, bytes });
    return id;
  };

  // A notice queued by an earlier run of this message (some branches queued, others deferred)
  // is in the trace the spool kept with the deferral, committed in the same transaction: a re-run
  // does not send it again.
  const noticeKeys = new Set(msg.trace.entries.filter((e) => e.event === 'notice-queued').map((e) => e.detail ?? ''));
  const queueNotice = (n: OutgoingNotice) => {
    if (noticeKeys.has(n.key)) return;
    noticeKeys.add(n.key);
    msg.trace.add('commit', 'notice-queued', n.key, [n.recipient]);
    // facts are structured-cloned on forks: bytes may come back as a plain Uint8Array
    const bodyId = queueBody(Buffer.from(n.bytes.buffer, n.bytes.byteOffset, n.bytes.byteLength));
    items.push({ id: newId(now), messageId: msg.id, bodyId, kind: 'notice', sender: '', recipient: n.recipient, direction: n.direction, route: n.direction, createdAt: now, nextAttemptAt: now, giveUpAt: now + options.giveUpAfterMs, trace: [] });
  };

  for (const branch of done) {
    const addresses = branch.recipients.map((r) => r.address);
    // the spool tracks recipients by their RCPT TO, which a suffix rewrite may have changed
    const envelopeAddresses = branch.recipients.map(envelopeAddress);
    const outcome = branch.outcome;
    // a deferred branch runs again and emits its notices then
    if (outcome.kind !== 'defer') for (const n of branch.facts.notices ?? []) queueNotice(n);
    switch (outcome.kind) {
      case 'queue': {
        // TLS instead of encryption: the plaintext form needs a verified session, the protected
        // draft (when a method made one) is what goes otherwise
        const tls = branch.facts.tlsInstead;
        const plaintext = tls?.plaintext ? Buffer.from(tls.plaintext.buffer, tls.plaintext.byteOffset, tls.plaintext.byteLength) : null;
        const bodyId = queueBody(plaintext ?? branch.draft.toBuffer());
        const tlsInstead = tls ? { tlsInstead: { fallbackBodyId: plaintext ? queueBody(branch.draft.toBuffer()) : null } } : {};
        for (const r of branch.recipients) {
          items.push({ id: newId(now), messageId: msg.id, bodyId, kind: 'message', sender: msg.envelope.mailFrom, recipient: r.address, direction: r.direction, route: outcome.route, createdAt: now, nextAttemptAt: now, giveUpAt: now + options.giveUpAfterMs, trace: [], ...tlsInstead });
        }
        settled.push(...envelopeAddresses);
        break;
      }
      case 'bounce': {
        const notice = options.notifier.forBounce(msg, addresses, outcome);
        if (notice) {
          const bodyId = queueBody(notice.bytes);
          items.push({ id: newId(now), messageId: msg.id, bodyId, kind: notice.kind, sender: '', recipient: notice.recipient, direction: notice.direction, route: notice.direction, createdAt: now, nextAttemptAt: now, giveUpAt: now + options.giveUpAfterMs, trace: [] });
        } else {
          msg.trace.add(branch.decidedAt, 'notice-suppressed', 'no notice: null sender or one of our own notices', addresses);
        }
        settled.push(...envelopeAddresses);
        break;
      }
      case 'quarantine': {
        const release = releaseOf(msg, branch);
        quarantine.push({ id: branch.facts.quarantineId ?? newId(now), messageId: msg.id, recipients: addresses, reason: outcome.reason, sender: msg.envelope.mailFrom, bytes: msg.original.toBuffer(), trace: [], createdAt: now, rules: branch.facts.rules ?? [], release, resumeBody: release.resume ? branch.draft.toBuffer() : null });
        settled.push(...envelopeAddresses);
        break;
      }
      case 'drop':
        settled.push(...envelopeAddresses);
        break;
      case 'defer': {
        const until = outcome.retryAt ?? now + options.deferMs(previousFailures);
        deferUntil = deferUntil === null ? until : Math.min(deferUntil, until);
        deferReasons.push(outcome.reason);
        break;
      }
    }
  }

  // Items and quarantine entries carry the trace as it stood when they were committed.
  const trace = [...msg.trace.entries];
  const withTrace = <T extends { trace: unknown }>(x: T): T => ({ ...x, trace });
  return {
    messageId: msg.id,
    settled,
    deferral: deferUntil === null ? null : { until: deferUntil, reason: [...new Set(deferReasons)].join('; ') },
    bodies,
    items: items.map(withTrace),
    quarantine: quarantine.map(withTrace),
    trace,
  };
}

/**
 * What `quarantine release` needs. A branch the policy stage decided resumes after it (resumeAt)
 * with its decision and the post-edit draft; one held before any decision (a failing step) runs
 * again from the start with its RCPT TO addresses, so suffix routing applies again too.
 */
function releaseOf(msg: MessageContext, branch: Pick<Branch, 'recipients' | 'facts'>): QuarantineRelease {
  const { facts } = branch;
  const resume = facts.resumeAt
    ? {
        processor: facts.resumeAt,
        facts: {
          ...(facts.protection ? { protection: facts.protection } : {}),
          ...(facts.route ? { route: facts.route } : {}),
          ...(facts.signRequested ? { signRequested: true } : {}),
          ...(facts.rules ? { rules: facts.rules } : {}),
          ...(facts.evaluated ? { evaluated: facts.evaluated } : {}),
        },
        messageFacts: msg.facts,
      }
    : null;
  const recipients = branch.recipients.map((r) => ({ address: resume ? r.address : envelopeAddress(r), direction: r.direction }));
  return { envelope: { mailFrom: msg.envelope.mailFrom, recipients }, session: msg.session, resume };
}
