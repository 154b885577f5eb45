/**
 * The `portal` protection method (DESIGN §1/§2): pull delivery for recipients without keys.
 * The message is deposited in the portal store, encrypted per message (portal/deposit.ts,
 * portal/crypto.ts), and what travels to the recipient is a notice (`portal-message`, composed
 * by the Notifier) with a single-use link `${baseUrl}/m/<token>` that carries no address. With
 * `portal.notifySender` the sender gets a `portal-sent` notice with a recall link, committed with
 * the branch.
 *
 * One recipient per branch: every recipient has their own link (a shared notice would hand one
 * recipient's link to the others), so a branch with several recipients is refused (the step
 * fails closed: defer, then quarantine) — select gives portal recipients a branch each.
 * Replays are safe: the deposit is idempotent per (message, recipient); a replay issues a fresh
 * token (the notice carrying the previous one was never committed).
 * SECURITY: the plaintext never leaves the gateway except sealed into the store; override
 * headers count only from internal (relaying) senders.
 */
import type { Notifier } from '../notify/notifier.js';
import { emitNotice, type Branch, type MessageContext } from '../mail/context.js';
import type { EnvelopeRecipient } from '../mail/envelope.js';
import { outcome, type Outcome } from '../mail/outcome.js';
import { MessageDraft } from '../mime/draft.js';
import type { PortalCrypto } from '../portal/crypto.js';
import { depositMessage, linkExpiry, messageLink, recallLink, type ProfilePortalSettings } from '../portal/deposit.js';
import { parseOverrides } from '../portal/overrides.js';
import type { PortalStore } from '../portal/store.js';
import type { ProtectionMethod } from '../select/method.js';

export interface PortalMethodOptions {
  /** portal.enabled: when false the method serves nobody (the profile's next method, or a hold) */
  readonly enabled: boolean;
  readonly store: PortalStore;
  readonly crypto: PortalCrypto;
  readonly notifier: Notifier;
  /** the portal's public origin, read per deposit (tests bind port 0 and learn it after start) */
  readonly baseUrl: () => string;
  /** profile `portal` settings by profile name */
  readonly profile: (name: string) => ProfilePortalSettings | undefined;
  /** link lifetime for messages that never expire (portal.linkValidity) */
  readonly linkValidityMs: number;
  /** portal.notifySender: a recall-link notice to the sender per recipient */
  readonly notifySender: boolean;
  readonly now?: () => number;
  readonly newId: () => string;
}

export function portalMethod(options: PortalMethodOptions): ProtectionMethod {
  const now = options.now ?? Date.now;
  return {
    name: 'portal',
    async canServe(recipient: EnvelopeRecipient): Promise<boolean> {
      // anyone with a mailbox can open a link; only the switch and the direction decide
      return options.enabled && recipient.direction === 'outbound';
    },
    async protect(msg: MessageContext, branch: Branch): Promise<Outcome> {
      if (!options.enabled) throw new Error('portal: the portal is not enabled (portal.enabled)');
      if (branch.recipients.length !== 1) throw new Error(`portal: one recipient per branch expected, got ${branch.recipients.length} (each recipient needs a link of their own)`);
      const recipient = branch.recipients[0]!;
      const profileName = branch.facts.protection?.profile ?? 'default';
      const settings = options.profile(profileName);
      if (!settings) throw new Error(`portal: profile ${profileName} does not exist`);
      const addresses = [recipient.address];

      // Override headers are requests from the sender's organisation: honoured only from a relaying session.
      const parsed = msg.session.mayRelay ? parseOverrides((name) => branch.draft.get(name)) : { overrides: {}, problems: [] };
      for (const p of parsed.problems) msg.trace.add('protect', 'portal-override-ignored', p, addresses);

      const { message, created } = await depositMessage(
        { store: options.store, crypto: options.crypto, now, newId: options.newId },
        { spoolId: msg.id, recipient: recipient.address, sender: msg.envelope.mailFrom, draft: branch.draft, profile: profileName, settings, overrides: parsed.overrides },
      );
      if (created) await options.store.audit.record({ event: 'deposit', address: message.recipient, messageId: message.id, detail: { spoolId: msg.id, profile: profileName } });
      const at = now();
      const token = await options.store.tokens.issue({ purpose: 'message', address: message.recipient, messageId: message.id, expiresAt: linkExpiry(message, at, options.linkValidityMs) });
      const base = options.baseUrl();
      const expires = message.expiresAt === null ? undefined : new Date(message.expiresAt).toISOString().slice(0, 10);
      msg.trace.add('protect', 'portal', `deposited as portal message ${message.id}${created ? '' : ' (deposited by an earlier run)'}${expires ? `, expires ${expires}` : ''}`, addresses);

      const notice = options.notifier.compose({
        type: 'portal-message',
        to: recipient.address,
        locale: message.locale,
        profile: profileName,
        vars: { sender: message.fromHeader || message.sender, subject: message.subject, link: messageLink(base, token), expires, recipient: recipient.address },
        key: `portal-message:${recipient.address.toLowerCase()}`,
      });

      if (options.notifySender && message.sender !== '') {
        const recall = await options.store.tokens.issue({ purpose: 'recall', address: message.sender, messageId: message.id, expiresAt: linkExpiry(message, at, options.linkValidityMs) });
        emitNotice(
          branch,
          options.notifier.compose({ type: 'portal-sent', to: message.sender, profile: profileName, vars: { recipient: message.recipient, subject: message.subject, link: recallLink(base, recall), expires }, key: `portal-sent:${message.id}` }),
        );
      }
      return outcome.continue(MessageDraft.parse(Buffer.from(notice.bytes)));
    },
  };
}
