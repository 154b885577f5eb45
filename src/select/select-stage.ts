/**
 * select/ — the method per recipient: the first in the profile's order that can serve them
 * (DESIGN §1). Mandatory protection never falls back to plaintext: with no method the recipient
 * is held (deferred) and re-checked until the profile's queueTimeout, then bounced with an
 * encryption-failure notice. Opportunistic protection sends as is where no method serves.
 * SECURITY: fail closed — a method that throws fails the step (defer, then quarantine).
 */
import type { ProfileConfig } from '../config/schema.js';
import type { Branch, MessageContext } from '../mail/context.js';
import type { EnvelopeRecipient } from '../mail/envelope.js';
import { outcome, type Outcome } from '../mail/outcome.js';
import type { Step } from '../mail/step.js';
import type { MethodName, MethodRegistry } from './method.js';

/**
 * 'none' = deliver as is; 'hold' = no method yet for a mandatory recipient; 'refuse' = it can
 * never be protected under this profile (too large); 'tls' = plaintext, over verified TLS only.
 */
export type Selection = MethodName | 'none' | 'hold' | 'refuse';

export interface SelectOptions {
  readonly methods: MethodRegistry;
  readonly profiles: Readonly<Record<string, ProfileConfig>>;
  readonly restartProcessor: string;
}

const MAX_RECHECK_MS = 15 * 60_000;
const MIN_RECHECK_MS = 1000;

export async function selectFor(recipient: EnvelopeRecipient, msg: MessageContext, branch: Branch, options: SelectOptions): Promise<{ selection: Selection; why: string }> {
  const protection = branch.facts.protection;
  if (!protection || protection.level === 'none') return { selection: 'none', why: 'no protection required' };
  if (msg.facts.encrypted) return { selection: 'none', why: `already ${msg.facts.encrypted}-encrypted by the sender` };
  if (msg.facts.notification) return { selection: 'none', why: `one of our own notices (${msg.facts.notification}), never re-processed` };
  // A valid marker for this direction means we processed it already; it never lifts a mandatory policy.
  if (msg.facts.processedMarker?.direction === recipient.direction && protection.level === 'opportunistic') {
    return { selection: 'none', why: `already processed by ${msg.facts.processedMarker.node}` };
  }
  const profile = options.profiles[protection.profile];
  if (!profile) throw new Error(`profile ${protection.profile} does not exist`);
  if (msg.original.body.length > profile.maxSize) {
    // Waiting would not help: the sender is told at once (an encryption-failure notice).
    const why = `the message (${msg.original.body.length} bytes) is larger than the ${protection.profile} profile's maxSize of ${profile.maxSize} bytes`;
    return protection.level === 'mandatory' ? { selection: 'refuse', why } : { selection: 'none', why: `${why}; opportunistic, sent as is` };
  }
  const tlsInstead = profile.tlsInsteadOfEncryption;
  if (tlsInstead === 'required') return { selection: 'tls', why: 'the profile sends over verified TLS instead of encrypting (tlsInsteadOfEncryption: required)' };
  for (const name of profile.order) {
    const method = options.methods.get(name);
    if (method && (await method.canServe(recipient, msg, branch))) {
      const also = tlsInstead === 'preferred' ? '; plaintext instead over a verified TLS session (tlsInsteadOfEncryption: preferred)' : '';
      return { selection: name, why: `${name} can serve this recipient${also}` };
    }
  }
  const tried = profile.order.join(', ');
  if (tlsInstead === 'preferred') return { selection: 'tls', why: `no method of [${tried}] can serve this recipient: plaintext over verified TLS only, else held in the queue (tlsInsteadOfEncryption: preferred)` };
  return holdOrSend(protection.level, `no method of [${tried}] can serve this recipient`);
}

const ADDRESS = /[^\s<>,;:"()]+@[^\s<>,;:"()]+/g;

/** Addresses named in the To and Cc headers (lower-cased). */
function visibleRecipients(branch: Branch): Set<string> {
  const values = [...branch.draft.getAll('To'), ...branch.draft.getAll('Cc')].join(',');
  return new Set([...values.matchAll(ADDRESS)].map((m) => m[0].toLowerCase()));
}

function holdOrSend(level: 'mandatory' | 'opportunistic', why: string): { selection: Selection; why: string } {
  return level === 'mandatory' ? { selection: 'hold', why } : { selection: 'none', why: `${why}; opportunistic, sent as is` };
}

export function selectSteps(options: SelectOptions): Step[] {
  return [
    {
      name: 'select',
      securityCritical: true,
      match: async (msg, branch) => {
        if (branch.facts.method) return [];
        // Recipients named in no To/Cc header (Bcc) get a protected copy of their own, so the
        // recipient list of an encrypted message (its RecipientInfos) never reveals them.
        const visible = visibleRecipients(branch);
        const keyOf = async (r: EnvelopeRecipient) => {
          const selection = (await selectFor(r, msg, branch, options)).selection;
          // Portal deposits (a link each) and PDFs under the recipient's own portal password are
        // per recipient: never share a branch.
        const perRecipient = selection === 'portal' || (selection === 'pdf' && options.profiles[branch.facts.protection?.profile ?? '']?.pdf.passwordMode === 'portal');
        const own = perRecipient || (selection !== 'none' && selection !== 'hold' && selection !== 'refuse' && selection !== 'tls' && !visible.has(r.address.toLowerCase()));
          return own ? `${selection}|bcc:${r.address}` : selection;
        };
        const first = await keyOf(branch.recipients[0]!);
        const same: EnvelopeRecipient[] = [];
        for (const r of branch.recipients) if ((await keyOf(r)) === first) same.push(r);
        return same;
      },
      action: async (msg, branch) => {
        const { selection, why } = await selectFor(branch.recipients[0]!, msg, branch, options);
        msg.trace.add('select', selection === 'hold' ? 'hold' : 'method', selection === 'hold' ? why : `${selection}: ${why}`, branch.recipients.map((r) => r.address));
        if (selection === 'hold') return hold(msg, branch, options, why);
        if (selection === 'refuse') return outcome.bounce(`could not be delivered securely: ${why}`, '5.3.4', 'encryption-failed');
        branch.facts.method = selection;
        const profile = options.profiles[branch.facts.protection!.profile];
        if (selection === 'tls') branch.facts.tlsInstead = { mode: 'required' };
        else if (selection !== 'none' && profile?.tlsInsteadOfEncryption === 'preferred') branch.facts.tlsInstead = { mode: 'preferred' };
        if (selection === 'none' && branch.facts.signRequested) {
          msg.trace.add('select', 'unsigned', 'a policy asked for a signature, but signing without encryption is not supported yet; sent unsigned', branch.recipients.map((r) => r.address));
        }
        return outcome.continue();
      },
    },
    {
      name: 'select-next-group',
      securityCritical: true,
      match: (_msg, branch) => (branch.facts.method ? [] : branch.recipients),
      action: () => outcome.goto(options.restartProcessor),
    },
  ];
}

function hold(msg: MessageContext, branch: Branch, options: SelectOptions, why: string): Outcome {
  const profile = options.profiles[branch.facts.protection!.profile]!;
  const deadline = msg.receivedAt + profile.queueTimeout;
  const now = msg.now();
  if (now >= deadline) return outcome.bounce(`could not be delivered securely: ${why}`, '5.7.10', 'encryption-failed');
  const recheck = Math.min(MAX_RECHECK_MS, Math.max(MIN_RECHECK_MS, Math.floor(profile.queueTimeout / 8)));
  return outcome.defer(`held for encryption: ${why}`, Math.min(deadline, now + recheck));
}
