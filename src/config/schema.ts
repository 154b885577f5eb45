/**
 * config/ — the `sealpost.yaml` contract (DESIGN §4) as one zod schema.
 *
 * Every object is strict (unknown keys are errors) and every default lives here, nowhere else, so
 * the generated docs/config.md is the whole truth. Durations and sizes are parsed to ms / bytes.
 * SECURITY: secrets may be given as ${ENV_VAR} (substituted by the loader before validation).
 */
import { isIP } from 'node:net';
import { z } from 'zod';
import { cidr, domainPattern, duration, emailAddress, listen, nextHop, size } from './fields.js';
import { detectorsOf, policySettings, rule } from './policy-schema.js';
import { BUILTIN_DETECTORS, dlpSchema } from './dlp-schema.js';
import { portalSchema } from './portal-schema.js';
import { checkNotificationRefs, notificationsSchema } from './notifications-schema.js';
import { pgpSection } from './pgp-schema.js';

const listenerTls = z
  .strictObject({
    cert: z.string().optional().describe('PEM certificate file; omitted = a self-signed certificate is generated at start'),
    key: z.string().optional().describe('PEM private key file for `cert`'),
    starttls: z.boolean().default(true).describe('offer STARTTLS'),
    implicit: z.boolean().default(false).describe('TLS from the first byte (SMTPS, port 465 style)'),
    requireTls: z.boolean().default(false).describe('refuse MAIL FROM before STARTTLS'),
    clientCerts: z.enum(['none', 'request', 'require']).default('none').describe('mutual TLS (not in this release: only `none`)'),
    clientCa: z.string().optional().describe('CA file for client certificates'),
  })
  .refine((t) => (t.cert === undefined) === (t.key === undefined), { message: 'give both cert and key, or neither' })
  .refine((t) => t.clientCerts === 'none', { message: 'clientCerts other than none is not supported yet', path: ['clientCerts'] });

const listener = z.strictObject({
  name: z.string().regex(/^[a-z0-9_-]+$/i, { message: 'expected a short name of letters, digits, - and _' }).describe('shown in logs and Received headers'),
  listen: listen.describe('host:port to bind'),
  direction: z.enum(['auto', 'outbound', 'inbound']).default('auto').describe('fixed direction, or `auto` (DESIGN §1)'),
  tls: listenerTls.prefault({}),
  auth: z
    .strictObject({
      required: z.boolean().default(false).describe('refuse mail from unauthenticated sessions'),
      users: z.array(z.strictObject({ username: z.string().min(1), password: z.string().min(8) })).default([]).describe('SMTP AUTH accounts (passwords may be ${ENV})'),
    })
    .prefault({}),
  relayFrom: z.array(cidr).default(['127.0.0.0/8', '::1/128']).describe('networks allowed to relay without AUTH'),
  maxMessageSize: size.prefault('25MB').describe('larger messages get 552 5.3.4'),
  maxConnectionsPerIp: z.number().int().positive().default(20).describe('concurrent connections per client address'),
  maxRecipients: z.number().int().positive().default(1000).describe('recipients per transaction'),
});

const TLS_LEVELS = ['none', 'may', 'encrypt', 'verify', 'secure', 'dane', 'dane-only', 'fingerprint'] as const;

const tlsPolicy = z
  .strictObject({
    domain: z
      .string()
      .regex(/^(\*\.|\.)?([a-z0-9-]+\.)*[a-z0-9-]+$/i, { message: 'expected a domain or host like example.com, *.example.com or .example.com' })
      .transform((d) => (d.startsWith('.') ? `*${d}` : d).toLowerCase())
      .describe('next-hop destination (Postfix\'s meaning): the recipient domain for `mx` delivery, the relay\'s host name for smtp://, smtps:// and submission:// hops; `*.example.com` or `.example.com` = its subdomains. Exact entries win over patterns, the closest pattern over wider ones'),
    level: z
      .enum(TLS_LEVELS)
      .describe('none: never STARTTLS; may: opportunistic (the default; a failed handshake is retried in plaintext); encrypt: TLS required, certificate not checked; verify: TLS required, chain verified against `tls.caFile` and the name matched (the MX host name for mx delivery, the host for a relay); secure: as verify, but a certificate name must be the next-hop domain or a subdomain of it (the MX name from DNS is not trusted); fingerprint: TLS required, certificate pinned by `fingerprints`, no CA check. Failures of the required levels defer (the next MX is tried first), never plaintext. smtps:// and submission:// hops are `verify` without an entry and never go below `encrypt`. dane and dane-only are refused: not supported yet'),
    fingerprints: z
      .array(z.string().regex(/^([0-9a-f]{2}:){31}[0-9a-f]{2}$|^[0-9a-f]{64}$/i, { message: 'expected a SHA-256 fingerprint: 64 hex digits, with or without colons' }))
      .default([])
      .describe('for level fingerprint: SHA-256 fingerprints of accepted server certificates (`openssl x509 -noout -fingerprint -sha256`), "AA:BB:…" or plain hex'),
  })
  .superRefine((p, ctx) => {
    if (p.level === 'dane' || p.level === 'dane-only') ctx.addIssue({ code: 'custom', path: ['level'], message: `TLS level ${p.level} is not supported yet (DANE needs a DNSSEC-validating resolver; use verify, secure or fingerprint)`, input: p.level });
    if (p.level === 'fingerprint' && p.fingerprints.length === 0) ctx.addIssue({ code: 'custom', path: ['fingerprints'], message: 'level fingerprint needs at least one fingerprint', input: p.fingerprints });
    if (p.level !== 'fingerprint' && p.fingerprints.length > 0) ctx.addIssue({ code: 'custom', path: ['fingerprints'], message: 'fingerprints apply only to level fingerprint', input: p.fingerprints });
  })
  // the refinement above refused dane / dane-only: the output type says so
  .transform((p) => ({ ...p, level: p.level as Exclude<(typeof TLS_LEVELS)[number], 'dane' | 'dane-only'> }));

/** "192.0.2.53", "192.0.2.53:5353", "2001:db8::53" or "[2001:db8::53]:53" */
const dnsServer = z.string().refine(
  (s) => {
    const m = /^\[([0-9a-f:.]+)\]:(\d{1,5})$/i.exec(s) ?? /^([0-9.]+):(\d{1,5})$/.exec(s);
    if (m) return isIP(m[1]!) !== 0 && Number(m[2]) >= 1 && Number(m[2]) <= 65535;
    return isIP(s) !== 0;
  },
  { message: 'expected an IP address, optionally with a port: 192.0.2.53, 127.0.0.1:5353, [2001:db8::53]:53' },
);

const profile = z.strictObject({
  order: z.array(z.enum(['smime', 'pgp', 'pdf', 'portal'])).min(1).default(['smime', 'pgp', 'pdf', 'portal']).describe('methods tried per recipient, first that can serve wins'),
  tlsInsteadOfEncryption: z.enum(['never', 'preferred', 'required']).default('never').describe('TLS instead of encryption (Cisco\'s table). never: encrypt only. preferred: plaintext goes only over a verified TLS session, else the protected form of the first method of `order` that serves the recipient; with none, the message waits in the queue for a verified session. required: never encrypted; plaintext over verified TLS only, else retried until delivery.giveUpAfter. Verified = certificate chain and name checked against delivery.tls.caFile or the system store, on the next hop (a smarthost, or the MX)'),
  sign: z.union([z.enum(['auto', 'required', 'never']), z.boolean()]).default('auto').transform((v) => (v === true ? 'auto' : v === false ? 'never' : v)).describe('auto: sign when the sender has a key; required: hold like encryption; true = auto, false = never'),
  pdf: z
    .strictObject({
      passwordMode: z.enum(['static', 'random-to-sender', 'sms', 'portal']).default('random-to-sender').describe('static: the profile\'s `password`; random-to-sender: a random 100-bit password sent to the sender in a `pdf-password` notice; sms: a random password sent by SMS to the recipient\'s number (`sms` section); portal: the PDF password the recipient set in the portal (portal.enabled; recipients without one are not served by pdf and go to the next method, e.g. portal)'),
      password: z.string().min(8).optional().describe('for passwordMode static (use ${ENV}); at most 127 bytes'),
      subject: z.string().optional().describe('Subject of the message carrying the PDF; `{subject}` stands for the original; omitted = the original Subject'),
      fileName: z.string().regex(/^[^\\/\x00-\x1f]{1,100}\.pdf$/i, { message: 'expected a file name ending in .pdf' }).default('message.pdf').describe('name of the PDF attachment'),
    })
    .refine((p) => p.passwordMode !== 'static' || p.password !== undefined, { message: 'passwordMode static needs a password', path: ['password'] })
    .refine((p) => p.password === undefined || Buffer.byteLength(p.password) <= 127, { message: 'a PDF password has at most 127 bytes', path: ['password'] })
    .prefault({}),
  portal: z
    .strictObject({
      security: z.enum(['high', 'medium', 'none']).default('high'),
      expiresAfter: duration.prefault('30d'),
      readReceipts: z.boolean().default(false),
      allowReply: z.boolean().default(true),
      allowReplyAll: z.boolean().default(false),
      allowForward: z.boolean().default(false),
      locale: z.string().regex(/^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*$/, { message: 'expected a language tag like en, de, ja or pt-BR' }).default('en').describe('language of this profile\'s notices and portal pages (wins over notifications.locale for notices tied to the profile)'),
      branding: z.string().optional().describe('branding name from notifications.brandings (notices; a name not listed there is shown as the organisation name)'),
    })
    .prefault({}),
  smime: z
    .strictObject({
      cipher: z.enum(['aes-256-cbc', 'aes-128-cbc', 'aes-256-gcm', 'aes-128-gcm']).default('aes-256-cbc').describe('CBC = EnvelopedData (every client reads it); GCM = AuthEnvelopedData (RFC 5083, integrity-protected; newer clients)'),
      keyTransport: z.enum(['rsa-pkcs1', 'rsa-oaep']).default('rsa-pkcs1').describe('RSA key transport for RSA recipients; EC recipients always use ECDH'),
      signature: z.enum(['detached', 'opaque']).default('detached').describe('detached (multipart/signed, readable without S/MIME) or opaque (signed-data)'),
    })
    .prefault({}),
  maxSize: size.prefault('25MB').describe('larger messages cannot be protected with this profile'),
  queueTimeout: duration.prefault('1d').describe('how long a recipient no method can serve is held before the sender gets an encryption-failure notice'),
});

/** A certificate in the store, named by its SHA-256 fingerprint (= its id in `certs list`). */
const certificateRef = z
  .string()
  .regex(/^([0-9a-f]{2}:){31}[0-9a-f]{2}$|^[0-9a-f]{64}$/i, { message: 'expected a certificate SHA-256 fingerprint: 64 hex digits, with or without colons (the id `sealpost certs list` shows)' })
  .transform((s) => s.replace(/:/g, '').toLowerCase());

const pkiDomain = z.strictObject({
  domain: domainPattern.describe('recipient (or sender) domain; `*.example.com` = its subdomains; an exact entry wins over patterns'),
  encryptTo: z.array(certificateRef).default([]).describe('domain certificates (domain-to-domain encryption): every message to the domain is also encrypted to these, and a recipient without a personal certificate is served by them'),
  additional: z.array(certificateRef).default([]).describe('escrow / additional recipients: added to every encryption for the domain (never enough on their own to serve a recipient)'),
  signWith: certificateRef.optional().describe('domain signing certificate (with a private key in the store) for senders of the domain who have none'),
});

const pki = z
  .strictObject({
    revocation: z.enum(['soft', 'hard']).default('soft').describe('a certificate with a CRL distribution point whose CRL cannot be had: soft = use it with a trace warning, hard = refuse it (DESIGN §1). Certificates without a distribution point are not revocation-checked'),
    crlRefresh: duration.prefault('6h').describe('how often the CRLs of all stored certificates are fetched from their http distribution points (one node of a cluster at a time); 0s = never'),
    crlFetch: z
      .strictObject({
        timeout: duration.prefault('10s').describe('a distribution point that has not delivered the whole CRL by then counts as unreachable'),
        maxSize: size.prefault('20MB').describe('larger CRLs are refused'),
        onDemand: z.boolean().default(true).describe('fetch a missing or out-of-date CRL while validating (once per URL at a time); off = only the periodic refresh and `certs crl` fill the store'),
        retryAfter: duration.prefault('5m').describe('on-demand: an unreachable distribution point is not tried again before this'),
      })
      .prefault({})
      .describe('fetching CRLs from distribution points: http:// only (CRLs are signed; ldap and https points are skipped)'),
    selection: z.enum(['newest', 'all']).default('newest').describe('several valid certificates for one recipient: encrypt to the newest (latest notBefore), or to all of them'),
    domains: z
      .array(pkiDomain)
      .default([])
      .superRefine((list, ctx) => {
        const seen = new Set<string>();
        list.forEach((d, i) => {
          if (seen.has(d.domain)) ctx.addIssue({ code: 'custom', path: [i, 'domain'], message: `${d.domain} is already configured`, input: d.domain });
          seen.add(d.domain);
        });
      })
      .describe('per-domain certificates: domain encryption, escrow, domain signing'),
  })
  .prefault({});

export const configSchema = z.strictObject({
  hostname: z.string().min(1).describe('our host name: SMTP banner, Received headers, DSNs'),
  node: z.string().optional().describe('this node\'s name in X-Sealpost-Processed; omitted = hostname'),
  internalDomains: z.array(domainPattern).min(1).describe('domains whose recipients are inbound; `*.example.com` for subdomains'),
  secrets: z
    .strictObject({
      gatewaySecret: z.string().min(32).optional().describe('HMAC key for the loop marker (use ${ENV}); overrides gatewaySecretFile; shared by all cluster nodes'),
      gatewaySecretFile: z.string().default('./data/keys/gateway.secret').describe('created on first start when missing'),
      masterKeyFile: z.string().default('./data/keys/master.key').describe('key-encryption key for private keys at rest; created on first start when missing'),
    })
    .prefault({}),
  storage: z
    .strictObject({
      url: z
        .string()
        .regex(/^(sqlite:|postgres(ql)?:\/\/)/, { message: 'expected sqlite:PATH or postgres://…' })
        .default('sqlite:./data/sealpost.db')
        .describe('sqlite:PATH (embedded, one node) or postgres://user[:password]@host[:port]/db (cluster mode: several nodes share it, see docs/cluster.md); put a password in ${ENV}'),
      leases: z
        .strictObject({
          spool: duration.prefault('5m').describe('how long a node owns the received messages it is running through the pipeline; a dead node\'s messages are taken over after this. Longer than the slowest pipeline batch'),
          queue: duration.prefault('10m').describe('how long a node owns the deliveries it attempts; a dead node\'s deliveries are retried by others after this (a delivery finished but not yet recorded is then sent twice). Longer than the slowest SMTP transaction'),
        })
        .prefault({}),
      secureDelete: z.boolean().default(false).describe('SQLite: overwrite deleted rows (processed message bodies, purged items) with zeros instead of leaving them in free pages until reused; costs about 10 % throughput (docs/security.md). PostgreSQL: see its documentation (VACUUM, encrypted storage)'),
      poolSize: z.number().int().min(2).default(10).describe('PostgreSQL: connections per node (at least 2)'),
      connectTimeout: duration.prefault('10s').describe('PostgreSQL: opening a connection that takes longer fails (at start: the gateway refuses to start; later: 451 / retry)'),
      queryTimeout: duration.prefault('60s').describe('PostgreSQL: a statement without an answer for this long fails, so a vanished server gives 451 instead of a hang'),
    })
    .prefault({}),
  smtp: z
    .strictObject({
      listeners: z.array(listener).min(1).prefault([{ name: 'main', listen: '127.0.0.1:2525' }]),
      maxHops: z.number().int().positive().default(30).describe('more Received headers than this = mail loop, refused'),
    })
    .prefault({}),
  relay: z
    .strictObject({
      outbound: nextHop.default('capture').describe('next hop for outbound mail'),
      inbound: nextHop.default('capture').describe('the internal mail server'),
      routes: z.array(z.strictObject({ domain: domainPattern, to: nextHop })).default([]).describe('per-domain next hops, first match wins'),
    })
    .prefault({}),
  capture: z.strictObject({ dir: z.string().default('./data/capture').describe('where the `capture` next hop writes .eml files') }).prefault({}),
  delivery: z
    .strictObject({
      retry: z.array(duration).min(1).prefault(['5m', '10m', '30m', '1h', '2h', '4h']).describe('waits between attempts; the last repeats'),
      giveUpAfter: duration.prefault('5d').describe('then a DSN goes to the sender'),
      concurrency: z.number().int().positive().default(20).describe('parallel deliveries in all'),
      perDestination: z.number().int().positive().default(10).describe('parallel connections per next hop: per relay, or per MX host address for direct delivery'),
      connectTimeout: duration.prefault('30s'),
      mxPort: z.number().int().min(1).max(65535).default(25).describe('port of the MX hosts for direct delivery (`mx` next hops); only tests and lab setups change it'),
      dns: z
        .strictObject({
          servers: z.array(dnsServer).default([]).describe('DNS servers for MX and A/AAAA lookups of direct delivery; empty = the system\'s (/etc/resolv.conf)'),
          timeout: duration.prefault('5s').describe('per query try'),
          tries: z.number().int().min(1).max(10).default(2).describe('tries per server before the lookup counts as failed (the message is deferred, 4.4.3)'),
          families: z.array(z.enum(['ipv4', 'ipv6'])).min(1).default(['ipv4', 'ipv6']).describe('address families of MX hosts, in the order they are tried'),
        })
        .prefault({}),
      tls: z
        .strictObject({
          caFile: z.string().optional().describe('PEM trust store for verify/secure (and for the `verified` flag recorded per delivery); it replaces the system store, as Postfix\'s smtp_tls_CAfile; omitted = system store'),
          policies: z
            .array(tlsPolicy)
            .default([])
            .superRefine((list, ctx) => {
              const seen = new Set<string>();
              list.forEach((p, i) => {
                if (seen.has(p.domain)) ctx.addIssue({ code: 'custom', path: [i, 'domain'], message: `a TLS policy for ${p.domain} is already given`, input: p.domain });
                seen.add(p.domain);
              });
            })
            .describe('per-destination TLS policies; destinations without an entry get `may` (smtps:// and submission:// relays: `verify`)'),
          mtaSts: z.literal(false, { message: 'MTA-STS is not supported in this release yet' }).default(false),
        })
        .prefault({}),
    })
    .prefault({}),
  pipeline: z
    .strictObject({
      concurrency: z.number().int().positive().default(4).describe('messages processed in parallel'),
      stepTimeout: duration.prefault('60s').describe('a step running longer fails with its onError policy'),
      maxAttempts: z.number().int().positive().default(5).describe('failed runs before a message is quarantined'),
    })
    .prefault({}),
  profiles: z.record(z.string().regex(/^[a-z0-9_-]+$/i), profile).prefault({ default: {} }).describe('encryption profiles by name; `default` is used when a rule names none'),
  policies: z.array(rule).optional().describe('ordered rules; omitted = the defaults of DESIGN §4'),
  policy: policySettings.prefault({}),
  dlp: dlpSchema.describe('content scanning for `dlp` conditions: extraction limits, unscannable parts, dictionaries, custom detectors (docs/dlp.md)'),
  pdf: z
    .strictObject({
      fonts: z
        .array(z.strictObject({ file: z.string().min(1).describe('TrueType/OpenType font file (.ttf, .otf) or collection (.ttc)'), postscriptName: z.string().optional().describe('for a collection: the face, e.g. NotoSansCJKjp-Regular') }))
        .min(1)
        .prefault([{ file: '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf' }, { file: '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc', postscriptName: 'NotoSansCJKjp-Regular' }])
        .describe('fonts embedded in PDFs, in order of preference: each character is set in the first font that has it (Debian fonts-dejavu-core and fonts-noto-cjk by default). The first must load; characters no font covers are noted visibly in the PDF, in the trace, and the text is attached as message.txt'),
      pageSize: z.enum(['A4', 'LETTER']).default('A4'),
      maxParts: z.number().int().positive().default(500).describe('MIME parts read into a PDF; more are noted, not shown'),
      maxDepth: z.number().int().positive().default(20).describe('multipart nesting read into a PDF; deeper parts are attached as they are'),
    })
    .prefault({})
    .describe('the `pdf` method\'s documents (AES-256, security handler R6)'),
  sms: z
    .strictObject({
      directory: z.string().optional().describe('mobile numbers of recipients: a CSV file of `address,number` lines, or a .yaml map `address: number`; re-read when it changes'),
      acceptHeader: z.boolean().default(true).describe('also take numbers from X-Sealpost-Sms-Number set by internal senders (`+49…` for all recipients, or `addr=+49…, addr2=+33…`); the directory wins'),
      text: z.string().refine((t) => t.includes('{password}'), { message: 'the SMS text must contain {password}: without it the recipient cannot open the PDF' }).default('Password for the encrypted message from {sender}: {password}').describe('the SMS; {password}, {sender} and {subject} are replaced'),
      webhook: z
        .strictObject({
          url: z
            .string()
            .url()
            .refine((u) => /^https:\/\//i.test(u) || /^http:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?\//i.test(u), { message: 'the SMS webhook carries passwords: https:// only (http:// only to a loopback address)' })
            .describe('POSTed once per SMS; https:// (http:// only on loopback: the body holds the password)'),
          headers: z.record(z.string(), z.string()).default({}).describe('e.g. Authorization: "Bearer ${SMS_TOKEN}"; Content-Type defaults to application/json'),
          bodyTemplate: z.string().default('{"to":"{{number}}","text":"{{text}}"}').describe('{{number}} and {{text}} are replaced, JSON-escaped for a JSON Content-Type, URL-encoded for application/x-www-form-urlencoded'),
          timeout: duration.prefault('10s'),
        })
        .optional()
        .describe('the HTTP SMS provider; without it passwordMode sms cannot serve anyone'),
    })
    .prefault({})
    .describe('SMS for PDF passwords (passwordMode sms)'),
  notifications: notificationsSchema.describe('notices to people: system sender, language, branding, template overrides (config/notifications-schema.ts, docs/notifications.md)'),
  portal: portalSchema.describe('the recipients\' web portal (config/portal-schema.ts)'),
  admin: z.strictObject({ listen: listen.default('127.0.0.1:8444') }).prefault({}),
  logging: z.strictObject({ level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info') }).prefault({}),
  ca: z
    .strictObject({
      autoSigningCertificates: z.boolean().default(false).describe('the built-in CA (after `sealpost ca init`) issues a signing certificate to an internal sender who has none, the first time one is needed'),
      autoValidity: duration.prefault('365d').describe('validity of those certificates'),
    })
    .prefault({}),
  retention: z
    .strictObject({
      delivered: duration.prefault('7d').describe('final queue items kept for `queue show`'),
      quarantine: duration.prefault('30d').describe('quarantined messages not released or deleted by then are purged'),
    })
    .prefault({}),
  pki: pki.describe('S/MIME certificates: revocation checking, CRL fetching, certificate choice, per-domain certificates'),
  pgp: pgpSection.describe('OpenPGP: domain keys, PGP/INLINE recipients, decompression limit, key discovery (WKD, HKP), Autocrypt'),
}).superRefine((config, ctx) => {
  // A profile that can only use the portal cannot serve anybody while the portal is off.
  for (const [name, p] of Object.entries(config.profiles)) {
    if (!config.portal.enabled && p.order.length === 1 && p.order[0] === 'portal') {
      ctx.addIssue({ code: 'custom', path: ['profiles', name, 'order'], message: `profile "${name}" uses only the portal, but portal.enabled is false (enable the portal or add another method)`, input: p.order });
    }
  }
  // Cross-references zod cannot express field by field: every profile a rule names must exist.
  config.policies?.forEach((r, i) =>
    r.then.forEach((a, j) => {
      if (a.kind === 'encrypt' && !(a.options.profile in config.profiles)) {
        ctx.addIssue({ code: 'custom', path: ['policies', i, 'then', j, 'encrypt', 'profile'], message: `no profile named "${a.options.profile}" in profiles`, input: a.options.profile });
      }
    }),
  );
  config.policies?.forEach((r, i) =>
    detectorsOf(r).forEach(({ detector, path }) => {
      if (!BUILTIN_DETECTORS.includes(detector as (typeof BUILTIN_DETECTORS)[number]) && !Object.hasOwn(config.dlp.detectors, detector)) {
        ctx.addIssue({ code: 'custom', path: ['policies', i, ...path], message: `no detector named "${detector}" (built-ins: ${BUILTIN_DETECTORS.join(', ')}; others go in dlp.detectors)`, input: detector });
      }
    }),
  );
  config.policy.suffixes.forEach((s, i) => {
    if (!(s.encrypt.profile in config.profiles)) ctx.addIssue({ code: 'custom', path: ['policy', 'suffixes', i, 'encrypt', 'profile'], message: `no profile named "${s.encrypt.profile}" in profiles`, input: s.encrypt.profile });
  });
  for (const [name, p] of Object.entries(config.profiles)) {
    if (p.pdf.passwordMode === 'sms' && !config.sms.webhook) ctx.addIssue({ code: 'custom', path: ['profiles', name, 'pdf', 'passwordMode'], message: 'passwordMode sms needs an SMS provider: configure sms.webhook', input: p.pdf.passwordMode });
  }
  checkNotificationRefs(config, (issue) => ctx.addIssue(issue));
  const names = new Set<string>();
  config.smtp.listeners.forEach((l, i) => {
    if (names.has(l.name)) ctx.addIssue({ code: 'custom', path: ['smtp', 'listeners', i, 'name'], message: 'listener names must be unique', input: l.name });
    names.add(l.name);
  });
});

export type Config = z.output<typeof configSchema>;
export type ListenerConfig = Config['smtp']['listeners'][number];
export type ProfileConfig = Config['profiles'][string];
export type PkiConfig = Config['pki'];
export type { Rule } from './policy-schema.js';
