/**
 * `sealpost notify preview TYPE`: renders one notice with sample values through the configured
 * engine (locale chain, branding, template overrides), so an administrator sees what people will
 * get before anyone gets it. Nothing is sent.
 */
import { SealpostError } from '../errors/index.js';
import type { Config } from '../config/schema.js';
import { engineFromConfig, systemSender } from './from-config.js';
import { createNotifier } from './notifier.js';
import type { RenderedNotice } from './template/engine.js';
import { EXTRA_NOTICE_TYPES, TEMPLATE_TYPES, type ComposableType, type TemplateType } from './template/types.js';
import { NOTICE_TYPES } from './notice.js';

const day = 86_400_000;

/** Plausible values for every variable of every type. */
export function sampleVars(type: TemplateType, now: number): Record<string, string | string[]> {
  const expires = new Date(now + 30 * day).toISOString().slice(0, 10);
  const common = { subject: 'Quarterly figures', recipients: ['bob@partner.example', 'carol@partner.example'] };
  switch (type) {
    case 'portal-message':
    case 'portal-reminder':
      return { sender: 'alice@example.com', subject: common.subject, link: 'https://portal.example.com/m/EXAMPLE-TOKEN', expires, recipient: 'bob@partner.example' };
    case 'pdf-password':
      return { ...common, password: 'Xq7-mP2v-Lr9k' };
    case 'encryption-failed':
      return { ...common, reason: 'no method of [smime, pgp] can serve this recipient', waited: '1d' };
    case 'quarantined':
      return { ...common, reason: 'card numbers found', rules: ['card-numbers'], id: 'Q-EXAMPLE', sender: 'alice@example.com' };
    case 'blocked':
      return { ...common, reply: 'Sending to this domain is not allowed', sender: 'alice@example.com' };
    case 'read-receipt':
      return { reader: 'bob@partner.example', subject: common.subject, readAt: new Date(now).toISOString() };
    case 'expired':
      return { subject: common.subject, recipients: common.recipients };
    case 'decrypt-failed':
      return { subject: common.subject, reason: 'no key for this message' };
    case 'portal-sent':
      return { recipient: 'bob@partner.example', subject: common.subject, link: 'https://portal.example.com/r/EXAMPLE-TOKEN', expires };
    case 'portal-password-reset':
      return { link: 'https://portal.example.com/reset/EXAMPLE-TOKEN' };
    case 'dsn':
      return { host: 'gw.example.com', failed: ['<bob@partner.example>: host mx.partner.example said: 550 5.1.1 no such user'], delayed: [] };
    case 'pdf-message':
      return { sender: 'alice@example.com', subject: common.subject, fileName: 'secure-message.pdf', toSender: 'yes' };
  }
}

export interface PreviewOptions {
  readonly locale?: string;
  readonly profile?: string;
  readonly to?: string;
}

/** The rendered notice, and the whole message as it would be queued (DSNs: rendering only). */
export function previewNotice(config: Config, baseDir: string, type: string, opts: PreviewOptions, now = Date.now()): { rendered: RenderedNotice; eml?: string } {
  if (!(TEMPLATE_TYPES as readonly string[]).includes(type)) {
    throw new SealpostError('SP_ERR_CLI_USAGE', `unknown notice type "${type}" (known: ${TEMPLATE_TYPES.join(', ')})`);
  }
  if (opts.profile !== undefined && !(opts.profile in config.profiles)) throw new SealpostError('SP_ERR_CLI_USAGE', `no profile named "${opts.profile}" in profiles`);
  const engine = engineFromConfig(config, baseDir);
  const t = type as TemplateType;
  const to = opts.to ?? (t === 'portal-message' || t === 'portal-reminder' || t === 'portal-password-reset' ? 'bob@partner.example' : 'alice@example.com');
  const vars = sampleVars(t, now);
  const rendered = engine.render({ type: t, locale: opts.locale, profile: opts.profile, to, vars });
  if (!([...NOTICE_TYPES, ...EXTRA_NOTICE_TYPES] as readonly string[]).includes(t)) return { rendered };
  const notifier = createNotifier({ hostname: config.hostname, internalDomains: config.internalDomains, ...systemSender(config), engine, secret: Buffer.alloc(32), node: 'preview', now: () => now });
  const notice = notifier.compose({ type: t as ComposableType, to, ...(opts.locale ? { locale: opts.locale } : {}), ...(opts.profile ? { profile: opts.profile } : {}), vars });
  return { rendered, eml: Buffer.from(notice.bytes).toString('utf8') };
}
