/**
 * portal/backend — wires the portal's back-end for the composition root: the `portal`
 * protection method, the ports the web app needs (portal/web/ports.ts: open a body, inject a
 * reply, send a reset link or read receipt, wrap TOTP secrets), and the periodic lifecycle job.
 * app.ts builds one with createPortalBackend() and only passes things along.
 * SECURITY: the master key stays inside PortalCrypto; the web app receives functions, not keys.
 */
import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import type { PortalConfig } from '../config/portal-schema.js';
import type { ProfileConfig } from '../config/schema.js';
import { newId } from '../mail/ids.js';
import type { Notifier } from '../notify/notifier.js';
import { directionFor } from '../notify/notifier.js';
import { portalMethod } from '../protect/portal-method.js';
import type { QueueStore } from '../queue/types.js';
import type { ProtectionMethod } from '../select/method.js';
import type { PortalCrypto } from './crypto.js';
import { injectReply, type InjectDeps } from './inject.js';
import { peekRecall, queueNotices, recallByToken, runLifecycle, sendReadReceipt, type LifecycleDeps, type LifecycleRun, type RecallResult } from './lifecycle.js';
import { portalPdfPasswords, type PortalPdfPasswords } from './pdf-password.js';
import type { PortalMessage, PortalStore } from './store.js';
import { startPortal } from './web/index.js';
import type { PortalWebOptions, PortalWebPorts } from './web/ports.js';

/** Who the portal's own mail comes from (replies are From the system address). */
export interface SenderNoticeOptions {
  readonly hostname: string;
  /** system sender address (notifications.from) */
  readonly from: string;
  readonly internalDomains: readonly string[];
  /** not used any more (the Notifier stamps the loop marker); accepted so callers need not change */
  readonly node?: string;
  readonly secret?: Buffer;
}

export interface PortalBackendOptions {
  readonly portal: PortalConfig;
  readonly profiles: Readonly<Record<string, ProfileConfig>>;
  readonly store: PortalStore;
  readonly queue: Pick<QueueStore, 'recordResults'>;
  readonly crypto: PortalCrypto;
  readonly notifier: Notifier;
  /** stores.spool wrapped to poke the pipeline (app.ts spoolAdapter) */
  readonly spool: InjectDeps['spool'];
  /** system sender and internal domains (replies, isInternal) */
  readonly senderNotice: SenderNoticeOptions;
  readonly giveUpAfterMs: number;
  /** notifications.locale: for profiles that set no portal.locale */
  readonly defaultLocale: string;
  readonly logger: Logger;
  readonly onNoticesQueued?: () => void;
  readonly now?: () => number;
}

/**
 * Back-end functions the web app may use beyond today's PortalWebPorts (the sender's recall page,
 * the PDF password form); present on `ports` so adding them to the interface needs no change here.
 */
export interface PortalExtraPorts {
  /** GET /recall/<token>: what would be recalled; consumes nothing */
  peekRecall(token: string): Promise<PortalMessage | null>;
  /** POST /recall/<token>: consumes the token and recalls; null when the link is dead */
  recall(token: string, ip?: string): Promise<RecallResult | null>;
  /** pdf passwordMode `portal`: set the recipient's PDF password (SP_ERR_PORTAL_INPUT_INVALID when too short/long) */
  setPdfPassword(address: string, password: string, ip?: string): Promise<void>;
  hasPdfPassword(address: string): Promise<boolean>;
  /** the same as one object (what the web app's security page takes) */
  readonly pdfPasswords: PortalPdfPasswords;
}

export interface PortalBackend {
  readonly method: ProtectionMethod;
  readonly ports: PortalWebPorts & PortalExtraPorts;
  readonly lifecycle: LifecycleDeps;
  /** pdf passwordMode `portal`: the recipients' own PDF passwords (the pdf method looks them up, the web app sets them) */
  readonly pdfPasswords: PortalPdfPasswords;
  /** The public origin links use; app.ts sets it once the web app is bound (port 0 in tests). */
  setBaseUrl(url: string): void;
  baseUrl(): string;
  runLifecycle(): Promise<LifecycleRun>;
}

export function createPortalBackend(o: PortalBackendOptions): PortalBackend {
  const now = o.now ?? Date.now;
  let base = o.portal.baseUrl.replace(/\/+$/, '');
  const baseUrl = () => base;
  const isInternal = (address: string) => directionFor(address, o.senderNotice.internalDomains) === 'inbound';

  const method = portalMethod({
    enabled: o.portal.enabled,
    store: o.store,
    crypto: o.crypto,
    notifier: o.notifier,
    baseUrl,
    profile: (name) => {
      const p = o.profiles[name]?.portal;
      // a profile without its own locale speaks the gateway's (notifications.locale)
      return p && { ...p, locale: p.locale ?? o.defaultLocale };
    },
    linkValidityMs: o.portal.linkValidity,
    notifySender: o.portal.notifySender,
    now,
    newId: () => newId(now()),
  });

  const lifecycle: LifecycleDeps = {
    store: o.store,
    queue: o.queue,
    notifier: o.notifier,
    baseUrl,
    settings: { reminders: [...o.portal.reminders].sort((a, b) => a - b), linkValidityMs: o.portal.linkValidity, expiredNotice: o.portal.expiredNotice, retention: o.portal.retention },
    giveUpAfterMs: o.giveUpAfterMs,
    now,
    newId: (at) => newId(at ?? now()),
    ...(o.onNoticesQueued ? { onQueued: o.onNoticesQueued } : {}),
  };

  const injectDeps: InjectDeps = {
    store: o.store,
    crypto: o.crypto,
    spool: o.spool,
    isInternal,
    from: o.senderNotice.from,
    hostname: o.senderNotice.hostname,
    maxBytes: o.portal.maxUpload,
    now,
    newId: () => newId(now()),
  };

  const pdfPasswords = portalPdfPasswords(o.store, o.crypto);
  const ports: PortalWebPorts & PortalExtraPorts = {
    store: o.store,
    async openBody(message, body) {
      return o.crypto.open('message', message.id, body);
    },
    async inject(reply) {
      const r = await injectReply(injectDeps, {
        account: reply.account,
        kind: reply.kind,
        originalId: reply.inReplyTo?.id ?? null,
        to: reply.to,
        cc: reply.cc,
        subject: reply.subject,
        text: reply.text,
        attachments: reply.attachments,
        ...(reply.ip ? { ip: reply.ip } : {}),
      });
      o.logger.info({ event: 'portal.reply.injected', kind: reply.kind, sentId: r.id, spoolId: r.spoolId }, 'portal reply handed to the spool');
      return { id: r.id };
    },
    async sendPasswordReset(address, link, locale) {
      const notice = o.notifier.compose({ type: 'portal-password-reset', to: address, locale, vars: { link }, key: `portal-password-reset:${address.toLowerCase()}` });
      await queueNotices(lifecycle, newId(now()), [notice], 'portal/password-reset');
    },
    async readReceipt(message, readAt) {
      await sendReadReceipt(lifecycle, message, readAt);
    },
    isInternal,
    wrapTotp: (address, secret) => o.crypto.wrapSecret('totp', address, secret),
    unwrapTotp: (address, wrapped) => o.crypto.unwrapSecret('totp', address, wrapped),
    peekRecall: (token) => peekRecall(lifecycle, token),
    recall: (token, ip) => recallByToken(lifecycle, token, ip),
    setPdfPassword: (address, password, ip) => pdfPasswords.set(address, password, ip),
    hasPdfPassword: (address) => pdfPasswords.has(address),
    pdfPasswords,
  };

  return {
    method,
    ports,
    lifecycle,
    pdfPasswords,
    setBaseUrl(url) {
      base = url.replace(/\/+$/, '');
    },
    baseUrl,
    runLifecycle: () => runLifecycle(lifecycle),
  };
}

export interface PortalServicesOptions {
  readonly portal: PortalConfig;
  /** resolves portal.tls paths against the config file's directory */
  readonly resolvePath: (path: string) => string;
  /** HMAC key for CSRF tokens (the gateway secret) */
  readonly secret: Buffer;
  readonly logger: Logger;
  /** stores.runSingleton: the lifecycle job runs on one node at a time */
  readonly runSingleton: <T>(name: string, fn: () => Promise<T>, opts?: { minIntervalMs?: number }) => Promise<{ ran: true; value: T } | { ran: false; reason: string }>;
  /** how often the lifecycle job runs (default 5 min) */
  readonly lifecycleEveryMs?: number;
  /** web app overrides for tests (argon2 cost) */
  readonly web?: Partial<Pick<PortalWebOptions, 'argon2'>>;
  /** notifications.brandings: the colours and footer a profile's `portal.branding` names */
  readonly brandings?: PortalWebOptions['brandings'];
}

export interface RunningPortalServices {
  /** the portal's origin (null when portal.enabled is false) */
  readonly url: string | null;
  stop(): Promise<void>;
}

/**
 * Starts the web app on its own HTTPS listener (a generated certificate when portal.tls is not
 * set), points the links at the bound origin, and schedules the lifecycle job. Nothing runs
 * when the portal is disabled.
 */
export async function startPortalServices(backend: PortalBackend, o: PortalServicesOptions): Promise<RunningPortalServices> {
  if (!o.portal.enabled) return { url: null, stop: async () => undefined };
  const p = o.portal;
  const tls = p.tls.cert && p.tls.key ? { cert: readFileSync(o.resolvePath(p.tls.cert), 'utf8'), key: readFileSync(o.resolvePath(p.tls.key), 'utf8') } : undefined;
  const web = await startPortal({
    ports: backend.ports,
    options: {
      listen: p.listen,
      baseUrl: p.baseUrl,
      ...(tls ? { tls } : {}),
      secret: o.secret,
      logger: o.logger,
      lockout: { maxFailures: p.lockout.maxFailures, lockMs: p.lockout.duration },
      ipFailuresPer10Min: p.lockout.ipFailuresPer10Min,
      sessionIdleMs: p.session.idle,
      sessionMaxMs: p.session.maxAge,
      deviceMs: p.session.rememberDevice,
      maxUpload: p.maxUpload,
      ...(o.brandings ? { brandings: o.brandings } : {}),
      ...(o.web?.argon2 ? { argon2: o.web.argon2 } : {}),
    },
  });
  backend.setBaseUrl(web.url);
  const every = o.lifecycleEveryMs ?? 5 * 60_000;
  const run = () => {
    o.runSingleton('portal-lifecycle', () => backend.runLifecycle(), { minIntervalMs: every * 0.9 })
      .then((r) => {
        if (!r.ran) return;
        const v = r.value;
        if (v.reminders + v.expired > 0 || Object.values(v.purged).some((n) => n > 0)) o.logger.info({ event: 'portal.lifecycle.done', ...v }, 'portal lifecycle run');
      })
      .catch((err) => o.logger.warn({ event: 'portal.lifecycle.failed', err }, 'portal lifecycle run failed'));
  };
  const first = setTimeout(run, Math.min(10_000, every));
  const timer = setInterval(run, every);
  first.unref();
  timer.unref();
  return {
    url: web.url,
    async stop() {
      clearTimeout(first);
      clearInterval(timer);
      await web.stop();
    },
  };
}
