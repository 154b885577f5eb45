/**
 * The composition root: the only module that wires concrete implementations (stores, SMTP
 * listeners, deliverer, workers) from a validated config. Everything else depends on interfaces.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { Logger } from 'pino';
import type { LoadedConfig } from './config/load.js';
import type { Config, ListenerConfig } from './config/schema.js';
import { Deliverer, loadTrustStore, parseNextHop, type DelivererOptions, type NextHop } from './deliver/index.js';
import { openDatabase } from './db/open.js';
import { createStores } from './db/stores.js';
import { gatewaySecret, loadOrCreateSecret } from './keystore/gateway-secrets.js';
import { KeyWrapper } from './keystore/key-wrap.js';
import { newId } from './mail/ids.js';
import { SenderNotices } from './notify/sender-notices.js';
import { createNotifier, type Notifier } from './notify/notifier.js';
import { engineFromConfig, systemSender } from './notify/from-config.js';
import { buildProcessors } from './pipeline/processors.js';
import { createPki, type Pki } from './pki/index.js';
import { createPortalBackend, startPortalServices, type PortalBackend } from './portal/backend.js';
import { PortalCrypto } from './portal/crypto.js';
import { SpoolWorker } from './pipeline/spool-worker.js';
import { defaultRules } from './policy/policy-stage.js';
import { dlpScanner } from './policy/dlp-scanner.js';
import { routeBySuffix } from './policy/suffix.js';
import { DeliveryWorker } from './queue/delivery-worker.js';
import type { QueueItem } from './queue/types.js';
import { createSmtpListener, type ListenerOptions, type SmtpListener } from './receive/index.js';
import type { MethodRegistry } from './select/method.js';
import { smimeMethod } from './protect/smime-method.js';
import { inlineMatcher, pgpMethod } from './protect/pgp-method.js';
import { createPgp, type Pgp } from './pgp/index.js';
import type { Fetcher } from './pgp/discovery/index.js';
import { pgpUnwrapStep } from './unwrap/pgp-unwrap.js';
import { pdfMethod } from './protect/pdf-method.js';
import { pdfMethodOptions, pdfSetupWarnings } from './pdf/options.js';
import { BuiltinCa } from './ca/index.js';
import { smimeUnwrapStep } from './unwrap/smime-unwrap.js';
import { pkiUnwrapDeps } from './unwrap/hosted-keys.js';

export interface AppOptions {
  readonly logger: Logger;
  /** poll interval of the workers when idle; CLI changes to the stores show within this time */
  readonly idlePollMs?: number;
  /** HTTP transport of OpenPGP key discovery (WKD/HKP); tests point it at local servers */
  readonly pgpFetcher?: Fetcher;
}

export interface RunningApp {
  readonly listeners: ReadonlyArray<{ name: string; host: string; port: number }>;
  /** certificates, validation, selection, CRLs and hosted keys (for the S/MIME method and tests) */
  readonly pki: Pki;
  /** OpenPGP keyring, key selection and discovery (pgp method, inbound PGP, tests) */
  readonly pgp: Pgp;
  /** the recipients' portal: its origin (null when disabled) and back-end (lifecycle, ports) for tests and the CLI */
  readonly portal: { readonly url: string | null; readonly backend: PortalBackend };
  stop(): Promise<void>;
}

export function resolvePath(baseDir: string, path: string): string {
  return isAbsolute(path) ? path : resolve(baseDir, path);
}

function splitListen(listen: string): { host: string; port: number } {
  const at = listen.lastIndexOf(':');
  return { host: listen.slice(0, at).replace(/^\[|\]$/g, '') || '0.0.0.0', port: Number(listen.slice(at + 1)) };
}

function listenerOptions(l: ListenerConfig, config: Config, baseDir: string): ListenerOptions {
  const { host, port } = splitListen(l.listen);
  return {
    name: l.name,
    host,
    port,
    hostname: config.hostname,
    direction: l.direction,
    internalDomains: config.internalDomains,
    relayFrom: l.relayFrom,
    tls: l.tls.cert && l.tls.key ? { cert: readFileSync(resolvePath(baseDir, l.tls.cert), 'utf8'), key: readFileSync(resolvePath(baseDir, l.tls.key), 'utf8') } : null,
    starttls: l.tls.starttls,
    implicitTls: l.tls.implicit,
    requireTls: l.tls.requireTls,
    auth: { required: l.auth.required, users: l.auth.users },
    maxMessageSize: l.maxMessageSize,
    maxConnectionsPerIp: l.maxConnectionsPerIp,
    maxRecipients: l.maxRecipients,
    maxHops: config.smtp.maxHops,
  };
}

/** Next hop per queue item: explicit route, else per-domain route, else the direction's hop. */
export function hopResolver(config: Config): (item: Pick<QueueItem, 'route' | 'recipient'>) => NextHop {
  const outbound = parseNextHop(config.relay.outbound);
  const inbound = parseNextHop(config.relay.inbound);
  const routes = config.relay.routes.map((r) => ({ domain: r.domain, hop: parseNextHop(r.to) }));
  return (item) => {
    if (item.route.startsWith('route:')) return parseNextHop(item.route.slice('route:'.length));
    if (item.route === 'inbound') return inbound;
    const domain = item.recipient.slice(item.recipient.lastIndexOf('@') + 1).toLowerCase();
    const route = routes.find((r) => (r.domain.startsWith('*.') ? domain.endsWith(r.domain.slice(1)) : domain === r.domain));
    return route ? route.hop : outbound;
  };
}

/** The Deliverer's settings from the `delivery` section (TLS policies, trust store, DNS, MX port). */
export function delivererOptions(config: Config, baseDir: string): DelivererOptions {
  const d = config.delivery;
  const ca = d.tls.caFile ? loadTrustStore(resolvePath(baseDir, d.tls.caFile)) : undefined;
  return {
    captureDir: resolvePath(baseDir, config.capture.dir),
    smtp: {
      concurrencyPerHop: d.perDestination,
      timeouts: { connectMs: d.connectTimeout },
      hostname: config.hostname,
      tls: { ...(ca !== undefined ? { ca } : {}), policies: d.tls.policies },
    },
    mx: { port: d.mxPort, dns: { servers: d.dns.servers, timeoutMs: d.dns.timeout, tries: d.dns.tries, families: d.dns.families } },
  };
}

/**
 * Automatic signing certificates (config `ca.autoSigningCertificates`): an internal sender without
 * a key gets one from the built-in CA the first time a message of theirs is to be signed. The
 * private key is stored wrapped; the PKCS#12 made by `issue` is discarded (random password).
 */
export function autoEnrol(ca: Pick<BuiltinCa, 'current' | 'issue'>, internalDomains: readonly string[], validityMs: number, log: Logger): (address: string) => Promise<boolean> {
  const internal = (address: string) => {
    const domain = address.slice(address.lastIndexOf('@') + 1).toLowerCase();
    return internalDomains.some((d) => (d.startsWith('*.') ? domain.endsWith(d.slice(1)) : domain === d));
  };
  const pending = new Map<string, Promise<boolean>>();
  return (address) => {
    const key = address.toLowerCase();
    if (!internal(key)) return Promise.resolve(false);
    let p = pending.get(key);
    if (!p) {
      p = (async () => {
        if (!(await ca.current())) return false;
        const issued = await ca.issue({ email: key, validityMs, key: 'ec', password: randomBytes(24).toString('base64') });
        log.info({ event: 'ca.certificate.enrolled', certificateId: issued.record.id, address: key }, 'issued a signing certificate');
        return issued.keyStored;
      })().finally(() => pending.delete(key));
      pending.set(key, p);
    }
    return p;
  };
}

/**
 * The built-in CA re-issues its CRL daily (CRLs are valid 30 days), so its certificates stay
 * checkable under `revocation: hard` without an operator's cron; one node of a cluster does it.
 */
export function scheduleCaCrl(stores: Pick<ReturnType<typeof createStores>, 'runSingleton'>, ca: Pick<BuiltinCa, 'current' | 'crl'>, log: Logger, everyMs = 24 * 3600_000): NodeJS.Timeout[] {
  const run = () => {
    stores
      .runSingleton('ca-crl', async () => ((await ca.current()) ? ca.crl() : null), { minIntervalMs: everyMs * 0.9 })
      .then((r) => {
        if (r.ran && r.value) log.info({ event: 'ca.crl.issued' }, 'built-in CA issued its CRL');
      })
      .catch((err) => log.warn({ event: 'ca.crl.failed', err }, 'built-in CA could not issue its CRL'));
  };
  const first = setTimeout(run, 30_000);
  const every = setInterval(run, everyMs);
  first.unref();
  every.unref();
  return [first, every];
}

/**
 * The periodic CRL refresh (pki.crlRefresh, default 6 h; 0 = off): one node of a cluster at a
 * time, about once per interval cluster-wide, and once soon after start (skipped when another
 * node refreshed recently). Fetch failures are results (logged as warnings), never crashes.
 */
export function scheduleCrlRefresh(stores: Pick<ReturnType<typeof createStores>, 'runSingleton'>, pki: Pick<Pki, 'crls'>, everyMs: number, log: Logger, firstAfterMs = 5_000): NodeJS.Timeout[] {
  if (everyMs <= 0) return [];
  // timers take at most 2^31-1 ms (~24.8 days); beyond that Node would fire after 1 ms
  const interval = Math.min(everyMs, 2 ** 31 - 1);
  const run = () => {
    stores
      .runSingleton('crl-refresh', () => pki.crls.refreshAll(), { minIntervalMs: everyMs * 0.9 })
      .then((r) => {
        if (!r.ran) return log.debug({ event: 'pki.crl.refresh.skipped', reason: r.reason }, 'CRL refresh left to another node');
        const stored = r.value.fetched.filter((f) => f.stored).length;
        for (const f of r.value.failed) log.warn({ event: 'pki.crl.fetch.failed', url: f.url, reason: f.reason }, 'CRL could not be fetched');
        if (stored > 0) log.info({ event: 'pki.crl.refresh.done', stored, fetched: r.value.fetched.length, failed: r.value.failed.length }, 'stored new CRLs');
        else log.debug({ event: 'pki.crl.refresh.done', stored, fetched: r.value.fetched.length, failed: r.value.failed.length }, 'CRL refresh found nothing new');
      })
      .catch((err) => log.warn({ event: 'pki.crl.refresh.failed', err }, 'CRL refresh failed'));
  };
  const first = setTimeout(run, firstAfterMs);
  const every = setInterval(run, interval);
  first.unref();
  every.unref();
  return [first, every];
}

/** The policy stage's collaborators: the DLP engine, suffix routes, notices (also used by `policy explain`). */
export function policyStageOptions(config: Config, notifier: Notifier | null) {
  return { scanner: dlpScanner(config.dlp), suffixes: config.policy.suffixes, notifier, ...(config.notifications.admin ? { admin: config.notifications.admin } : {}) };
}

export async function startApp(loaded: LoadedConfig, options: AppOptions): Promise<RunningApp> {
  const { config, baseDir } = loaded;
  const log = options.logger;
  const idlePollMs = options.idlePollMs ?? 1000;
  const node = config.node ?? config.hostname;
  const secret = gatewaySecret(config.secrets.gatewaySecret, resolvePath(baseDir, config.secrets.gatewaySecretFile));
  if (secret.created) log.info({ event: 'keystore.secret.created', file: config.secrets.gatewaySecretFile }, 'generated the gateway secret');
  const master = loadOrCreateSecret(resolvePath(baseDir, config.secrets.masterKeyFile));
  if (master.created) log.info({ event: 'keystore.master.created', file: config.secrets.masterKeyFile }, 'generated the master key');

  // Read before the database opens: an unreadable caFile fails the start with nothing to clean up.
  const deliveryOptions = delivererOptions(config, baseDir);
  // Notice wording, locales, branding and template overrides: a broken override stops the start here.
  const noticeEngine = engineFromConfig(config, baseDir);
  const { storage } = config;
  const db = await openDatabase(storage.url, {
    baseDir,
    secureDelete: storage.secureDelete,
    postgres: {
      poolSize: storage.poolSize,
      connectTimeoutMs: storage.connectTimeout,
      queryTimeoutMs: storage.queryTimeout,
      applicationName: `sealpost ${node}`.slice(0, 63),
      onConnectionError: (err) => log.warn({ event: 'store.connection.error', err: { message: err.message, code: (err as NodeJS.ErrnoException).code } }, 'database connection lost; the pool reconnects'),
    },
  });
  // PostgreSQL: refuse to run beside a live node of the same name (it owns leases under that name)
  await db.claimNodeName(node).catch(async (err: unknown) => {
    await db.close();
    throw err;
  });
  const stores = createStores(db);
  // A node that restarts owns nothing any more: give its leases back at once instead of waiting.
  await stores.spool.releaseLeases(node);
  await stores.queue.releaseLeases(node);

  // PKI over the stores: the S/MIME method takes pki.selector (certificates per recipient,
  // signing keys) and pki.keys (decryption keys); CLI changes show at the next lookup.
  const pki = createPki(stores.pki, config.pki, { wrapper: new KeyWrapper(master.secret) });
  // OpenPGP keyring, selection and discovery (pgp method, inbound PGP unwrap); same store rule.
  const pgp = createPgp(stores.pgp, config.pgp, { wrapper: new KeyWrapper(master.secret), internalDomains: config.internalDomains, logger: log, ...(options.pgpFetcher ? { fetcher: options.pgpFetcher } : {}) });

  const resolveHop = hopResolver(config);
  const notices = new SenderNotices({ hostname: config.hostname, internalDomains: config.internalDomains, ...systemSender(config), engine: noticeEngine, secret: secret.secret, node, giveUpAfterMs: config.delivery.giveUpAfter });
  // Every notice to a person (PDF password, quarantine, portal …) is composed here; steps emit it.
  const notifier = createNotifier({ hostname: config.hostname, internalDomains: config.internalDomains, ...systemSender(config), engine: noticeEngine, secret: secret.secret, node });
  // The portal back-end: deposit method, web ports, lifecycle. Its spool is bound late (the
  // pipeline that pokes it is built below); replies are injected only once everything runs.
  const portalBackend = createPortalBackend({
    portal: config.portal,
    profiles: config.profiles,
    store: stores.portal,
    queue: stores.queue,
    crypto: new PortalCrypto(new KeyWrapper(master.secret)),
    notifier,
    spool: { accept: (m) => spoolAdapter.accept(m) },
    senderNotice: { hostname: config.hostname, node, secret: secret.secret, from: config.notifications.from ?? `postmaster@${config.hostname}`, internalDomains: config.internalDomains },
    giveUpAfterMs: config.delivery.giveUpAfter,
    defaultLocale: config.notifications.locale,
    logger: log,
    onNoticesQueued: () => delivery.poke(),
  });
  const methods: MethodRegistry = new Map([
    ['smime', smimeMethod({
      ...(config.ca.autoSigningCertificates ? { enrol: autoEnrol(new BuiltinCa({ pki, db: stores.database, internalDomains: config.internalDomains }), config.internalDomains, config.ca.autoValidity, log) } : {}), selector: pki.selector, signMode: (profile) => config.profiles[profile]?.sign ?? 'auto', profile: (profile) => config.profiles[profile]?.smime, queueTimeout: (profile) => config.profiles[profile]?.queueTimeout })],
    ['pgp', pgpMethod({ selector: pgp.selector, signMode: (profile) => config.profiles[profile]?.sign ?? 'auto', queueTimeout: (profile) => config.profiles[profile]?.queueTimeout, inline: inlineMatcher(config.pgp.inline) })],
    ['pdf', pdfMethod({ ...pdfMethodOptions(config, (p) => resolvePath(baseDir, p), notifier, noticeEngine), ...(config.portal.enabled ? { portalPasswords: portalBackend.pdfPasswords } : {}) })],
    ['portal', portalBackend.method],
  ]);
  for (const warning of pdfSetupWarnings(config, (p) => resolvePath(baseDir, p))) log.warn({ event: 'pdf.setup.warning' }, warning);
  const processors = buildProcessors({ secret: secret.secret, node, hostname: config.hostname, rules: config.policies ?? defaultRules(), profiles: config.profiles, methods, unwrap: [smimeUnwrapStep(pkiUnwrapDeps(pki)), pgpUnwrapStep(pgp.unwrapDeps)], policy: policyStageOptions(config, notifier) });
  const deliverer = new Deliverer(deliveryOptions);

  const delivery = new DeliveryWorker(stores.queue, { owner: node, deliverer, resolveHop, dsn: notices, retrySchedule: config.delivery.retry, concurrency: config.delivery.concurrency, leaseMs: storage.leases.queue, idlePollMs, logger: log });
  const pipeline = new SpoolWorker(stores.spool, {
    owner: node,
    processors,
    concurrency: config.pipeline.concurrency,
    batchSize: 64,
    leaseMs: storage.leases.spool,
    stepTimeoutMs: config.pipeline.stepTimeout,
    maxAttempts: config.pipeline.maxAttempts,
    idlePollMs,
    logger: log,
    giveUpAfterMs: config.delivery.giveUpAfter,
    notifier: notices,
    deferMs: (failures) => Math.min(60_000 * 2 ** failures, 3600_000),
    onSettled: () => delivery.poke(),
    rewriteRecipients: (recipients) => routeBySuffix(recipients, config.policy.suffixes),
  });

  const spoolAdapter = {
    accept: async (message: Parameters<typeof stores.spool.accept>[0]) => {
      await stores.spool.accept(message);
      pipeline.poke();
    },
  };
  const listeners: SmtpListener[] = config.smtp.listeners.map((l) => createSmtpListener(listenerOptions(l, config, baseDir), { spool: spoolAdapter, logger: log, newId: () => newId() }));
  const bound: { name: string; host: string; port: number }[] = [];
  try {
    for (const l of listeners) bound.push({ name: l.name, ...(await l.start()) });
  } catch (err) {
    await Promise.allSettled(listeners.map((l) => l.stop()));
    await stores.close();
    throw err;
  }
  pipeline.start();
  delivery.start();
  let portalServices: Awaited<ReturnType<typeof startPortalServices>>;
  try {
    portalServices = await startPortalServices(portalBackend, { portal: config.portal, brandings: config.notifications.brandings, resolvePath: (p) => resolvePath(baseDir, p), secret: secret.secret, logger: log, runSingleton: (name, fn, opts) => stores.runSingleton(name, fn, opts) });
  } catch (err) {
    await Promise.allSettled(listeners.map((l) => l.stop()));
    await pipeline.stop();
    await delivery.stop();
    await stores.close();
    throw err;
  }
  // Periodic jobs run on one node of a cluster at a time (PostgreSQL advisory lock; SQLite: just
  // runs), and about once per interval cluster-wide although every node fires its own timer.
  const PURGE_EVERY_MS = 3600_000;
  const purge = setInterval(() => {
    stores
      .runSingleton('queue-purge', () => stores.queue.purge(Date.now() - config.retention.delivered), { minIntervalMs: PURGE_EVERY_MS * 0.9 })
      .then((r) => (r.ran ? log.info({ event: 'queue.purge.done', removed: r.value }, 'purged final queue items') : log.debug({ event: 'queue.purge.skipped', reason: r.reason }, 'purge left to another node')))
      .catch((err) => log.warn({ event: 'queue.purge.failed', err }, 'purge failed'));
  }, PURGE_EVERY_MS);
  purge.unref();
  const quarantinePurge = setInterval(() => {
    stores
      .runSingleton('quarantine-purge', () => stores.quarantine.purge(Date.now() - config.retention.quarantine), { minIntervalMs: PURGE_EVERY_MS * 0.9 })
      .then((r) => (r.ran ? log.info({ event: 'quarantine.purge.done', removed: r.value }, 'purged expired quarantine entries') : log.debug({ event: 'quarantine.purge.skipped', reason: r.reason }, 'quarantine purge left to another node')))
      .catch((err) => log.warn({ event: 'quarantine.purge.failed', err }, 'quarantine purge failed'));
  }, PURGE_EVERY_MS);
  quarantinePurge.unref();
  const crlTimers = scheduleCrlRefresh(stores, pki, config.pki.crlRefresh, log);
  crlTimers.push(...scheduleCaCrl(stores, new BuiltinCa({ pki, db: stores.database, internalDomains: config.internalDomains }), log));
  log.info({ event: 'gateway.started', node, listeners: bound }, 'Sealpost started');

  return {
    listeners: bound,
    pki,
    pgp,
    portal: { url: portalServices.url, backend: portalBackend },
    async stop() {
      clearInterval(purge);
      clearInterval(quarantinePurge);
      for (const t of crlTimers) clearTimeout(t);
      // Order matters: stop accepting, finish what is being processed, then close storage.
      await Promise.allSettled([...listeners.map((l) => l.stop()), portalServices.stop()]);
      await pipeline.stop();
      await delivery.stop();
      await deliverer.close();
      await stores.close();
      log.info({ event: 'gateway.stopped' }, 'Sealpost stopped');
    },
  };
}
