/**
 * Recipient-address suffix routing (IncaMail style): a sender writes `bob@partner.example.secure`
 * to ask for encryption; the gateway encrypts and delivers to `bob@partner.example`.
 *
 * Why before the pipeline and not as a step: every later stage (certificate lookup, queue item,
 * DSN) must see the real address, and a branch's recipients cannot change identity mid-run. The
 * rewritten recipient keeps its RCPT TO in `addressedAs`, which the commit builder uses to settle
 * the spool entry. The policy stage then decides encryption for it before any rule (the sender
 * asked explicitly), and rewrites the address in To/Cc so the recipient sees the real one.
 */
import type { SuffixRoute } from '../config/policy-schema.js';
import type { EnvelopeRecipient } from '../mail/envelope.js';
import type { RewrittenRecipient } from '../mail/context.js';
import type { MessageDraft } from '../mime/draft.js';
import { MessageDraft as Draft } from '../mime/draft.js';

export interface SuffixRecipient extends RewrittenRecipient {
  readonly suffix: SuffixRoute;
}

export function isSuffixRecipient(r: EnvelopeRecipient): r is SuffixRecipient {
  return typeof (r as Partial<SuffixRecipient>).suffix === 'object';
}

/** Strips a configured suffix from outbound recipients' domains (longest suffix first). */
export function routeBySuffix(recipients: readonly EnvelopeRecipient[], suffixes: readonly SuffixRoute[]): EnvelopeRecipient[] {
  if (suffixes.length === 0) return [...recipients];
  const bySpecificity = [...suffixes].sort((a, b) => b.suffix.length - a.suffix.length);
  return recipients.map((r) => {
    if (r.direction !== 'outbound') return r;
    const at = r.address.lastIndexOf('@');
    if (at < 0) return r;
    const domain = r.address.slice(at + 1).toLowerCase();
    const hit = bySpecificity.find((s) => domain.endsWith(s.suffix) && domain.length > s.suffix.length && domain.slice(0, -s.suffix.length).includes('.'));
    if (!hit) return r;
    const stripped: SuffixRecipient = { address: `${r.address.slice(0, at)}@${r.address.slice(at + 1, r.address.length - hit.suffix.length)}`, direction: r.direction, addressedAs: r.address, rewrittenBy: `suffix ${hit.suffix}`, suffix: hit };
    return stripped;
  });
}

const ADDRESS_HEADERS = new Set(['to', 'cc']);

/** Replaces the suffixed addresses in To/Cc with the real ones (other header bytes unchanged). */
export function rewriteAddressHeaders(draft: MessageDraft, recipients: readonly EnvelopeRecipient[]): MessageDraft {
  const rewrites = recipients.filter(isSuffixRecipient);
  if (rewrites.length === 0) return draft;
  let changed = false;
  const head = draft.fields
    .map((f) => {
      if (!ADDRESS_HEADERS.has(f.name.toLowerCase())) return f.raw;
      let raw = f.raw;
      for (const r of rewrites) {
        const escaped = r.addressedAs.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        // whole address only: not a prefix of a longer domain, not part of a longer local part
        raw = raw.replace(new RegExp(`(?<![^\\s<,:;"(])${escaped}(?![\\w.-])`, 'gi'), r.address);
      }
      if (raw !== f.raw) changed = true;
      return raw;
    })
    .join('');
  if (!changed) return draft;
  const whole = draft.toBuffer();
  const rest = whole.subarray(draft.headerBytes().length);
  return Draft.parse(Buffer.concat([Buffer.from(head, 'latin1'), rest]));
}
