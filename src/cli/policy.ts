/** `sealpost policy explain FILE.eml --from A --to B [--to C…]` (DESIGN §3). */
import { existsSync, readFileSync } from 'node:fs';
import type { LoadedConfig } from '../config/load.js';
import { SealpostError } from '../errors/index.js';
import { policyStageOptions, resolvePath } from '../app.js';
import { createNotifier } from '../notify/notifier.js';
import { routeBySuffix } from '../policy/suffix.js';
import { buildProcessors } from '../pipeline/processors.js';
import { explain } from '../pipeline/explain.js';
import { defaultRules } from '../policy/policy-stage.js';
import { createRelayPolicy, decideRecipient } from '../receive/relay-rules.js';
import type { Output } from './output.js';
import type { Pki } from '../pki/index.js';
import { smimeMethod } from '../protect/smime-method.js';
import type { MethodName, MethodRegistry, ProtectionMethod } from '../select/method.js';
import { outcome } from '../mail/outcome.js';
import type { Notifier } from '../notify/notifier.js';
import { pdfMethodOptions } from '../pdf/options.js';
import { createPgp } from '../pgp/index.js';
import type { PgpStores } from '../pgp/types.js';
import { pdfMethod } from '../protect/pdf-method.js';
import { inlineMatcher, pgpMethod } from '../protect/pgp-method.js';

/** What explain may consult: the certificate store and the PGP keyring (no private keys). */
export interface ExplainStores {
  readonly pki: Pick<Pki, 'selector'>;
  readonly pgp: PgpStores;
}

/**
 * The gateway's methods as a dry run: the same canServe answers (certificates, PGP keys, PDF
 * password modes, the portal switch), without side effects — no key discovery over the network,
 * no SMS or password notice, no portal deposit, no signing (no private keys are opened).
 */
function explainMethods(loaded: LoadedConfig, stores: ExplainStores | null, notifier: Notifier): MethodRegistry {
  const { config, baseDir } = loaded;
  const methods = new Map<MethodName, ProtectionMethod>();
  if (stores) {
    methods.set('smime', smimeMethod({ selector: stores.pki.selector, signMode: () => 'never' }));
    const pgpConfig = { ...config.pgp, discovery: { ...config.pgp.discovery, enabled: false } };
    methods.set('pgp', pgpMethod({ selector: createPgp(stores.pgp, pgpConfig, { wrapper: null, internalDomains: config.internalDomains }).selector, signMode: () => 'never', inline: inlineMatcher(config.pgp.inline) }));
  }
  methods.set('pdf', pdfMethod({ ...pdfMethodOptions(config, (p) => resolvePath(baseDir, p), notifier), dryRun: true }));
  methods.set('portal', {
    name: 'portal',
    canServe: async (recipient) => config.portal.enabled && recipient.direction === 'outbound',
    protect: async (msg, branch) => {
      msg.trace.add('protect/portal', 'dry-run', 'would deposit the message in the portal and send the recipient a link', branch.recipients.map((r) => r.address));
      return outcome.continue(branch.draft.append('X-Sealpost-Dry-Run', 'portal deposit'));
    },
  });
  return methods;
}

export async function policyExplain(loaded: LoadedConfig, out: Output, file: string, from: string, to: readonly string[], stores: ExplainStores | null = null): Promise<void> {
  const { config, baseDir } = loaded;
  if (to.length === 0) throw new SealpostError('SP_ERR_CLI_USAGE', 'give at least one --to');
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    throw new SealpostError('SP_ERR_CLI_USAGE', `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? err}`, { path: file });
  }
  // The real secret when there is one, so markers verify as they would in the gateway; never create it here.
  const secretFile = resolvePath(baseDir, config.secrets.gatewaySecretFile);
  const secret = config.secrets.gatewaySecret !== undefined ? Buffer.from(config.secrets.gatewaySecret) : existsSync(secretFile) ? Buffer.from(readFileSync(secretFile, 'utf8').trim(), 'base64') : Buffer.alloc(32);
  const node = config.node ?? config.hostname;
  const notifier = createNotifier({ hostname: config.hostname, internalDomains: config.internalDomains, from: config.notifications.from ?? `postmaster@${config.hostname}`, secret, node });
  const processors = buildProcessors({ secret, node, hostname: config.hostname, rules: config.policies ?? defaultRules(), profiles: config.profiles, methods: explainMethods(loaded, stores, notifier), policy: policyStageOptions(config, notifier) });
  const relay = createRelayPolicy({ direction: 'auto', internalDomains: config.internalDomains, relayFrom: [] });
  const recipients = await explain({ bytes, from, to, processors, stepTimeoutMs: config.pipeline.stepTimeout, rewriteRecipients: (rs) => routeBySuffix(rs, config.policy.suffixes), isInternal: (a) => {
    const d = decideRecipient(relay, a, true);
    return d.ok && d.direction === 'inbound';
  } });
  const human = recipients
    .map((r) => {
      const head = `${r.address}${r.deliverTo ? ` → ${r.deliverTo}` : ''} (${r.direction}): ${r.action}${r.method && r.method !== 'none' ? ` via ${r.method}` : ''}${r.decidedBy ? ` — decided by ${r.decidedBy.rule} (${r.decidedBy.level})` : ''}${r.reason ? `\n  reason: ${r.reason}` : ''}`;
      const rules = r.rules.length === 0 ? ['  rules: none for this direction'] : ['  rules:', ...r.rules.map((e) => `    ${e.matched ? 'matched    ' : 'not matched'} ${e.rule} (${e.level})${e.score !== undefined ? ` score ${e.score}` : ''}${e.note ? ` — ${e.note}` : ''}`)];
      const notices = r.notices.length ? [`  notices: ${r.notices.join(', ')}`] : [];
      const trace = ['  trace:', ...r.trace.map((t) => `    ${t.stage.padEnd(26)} ${t.event}${t.detail ? `: ${t.detail}` : ''}`)];
      return [head, ...rules, ...notices, ...trace].join('\n');
    })
    .join('\n\n');
  out.print(human, { recipients: recipients.map((r) => ({ ...r, trace: r.trace.map((t) => ({ ...t, at: new Date(t.at).toISOString() })) })) });
}
