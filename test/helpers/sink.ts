/**
 * A real SMTP server on loopback for tests: records what arrives byte for byte and answers
 * the way a test asks (refuse a recipient, tempfail DATA, refuse the greeting, require AUTH).
 *
 * Built on smtp-server with enhanced status codes hidden, so a reply a test gives
 * ('550 5.1.1 no such user') goes out exactly as written. 8BITMIME, SMTPUTF8 and PIPELINING are
 * announced unless hidden. TLS uses a throwaway self-signed certificate (CN=localhost, SAN
 * localhost + 127.0.0.1) made once per process with openssl; `cert` is exposed so a client can
 * trust it and verify.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SMTPServer, type SMTPServerOptions, type SMTPServerSession } from 'smtp-server';

export interface SinkMessage {
  /** MAIL FROM ('' for <>) */
  readonly from: string;
  readonly to: string[];
  /** the message exactly as received (dot-unstuffed, ending with the CRLF before the final dot) */
  readonly body: Buffer;
  readonly tls: boolean;
  readonly authUser?: string;
  /** 1-based number of the TCP connection it came over (connection reuse is visible here) */
  readonly connection: number;
  /** BODY= parameter ('7bit' or '8bitmime') and whether SMTPUTF8 was given */
  readonly bodyType: string;
  readonly smtpUtf8: boolean;
}

/** A reply such as '550 5.1.1 no such user' refuses; null accepts. */
type Reply = string | null;

export interface SinkOptions {
  /** offer STARTTLS (default false: no STARTTLS in EHLO) */
  tls?: boolean;
  /** implicit TLS from the first byte (smtps) */
  secure?: boolean;
  /** require AUTH with these credentials (only after TLS, unless the session is already secure) */
  auth?: { user: string; pass: string };
  onConnect?: (session: SMTPServerSession) => Reply;
  onMail?: (address: string, session: SMTPServerSession) => Reply;
  onRcpt?: (address: string, session: SMTPServerSession) => Reply;
  /** decides the reply after the final dot; a refused message is not added to `messages` */
  onData?: (message: SinkMessage, session: SMTPServerSession) => Reply;
  hide8BitMime?: boolean;
  hideSmtpUtf8?: boolean;
  hidePipelining?: boolean;
  /** SIZE limit to announce */
  size?: number;
  /** the server drops a session idle this long (421), like real MTAs do */
  idleTimeoutMs?: number;
  /** certificate and key to serve instead of the self-signed localhost one (e.g. from test-ca.ts) */
  certificate?: { key: string; cert: string };
  /** address to bind (default 127.0.0.1; any 127.x.y.z works on Linux) */
  host?: string;
  /** port to bind (default 0: any free port) — lets several sinks share one port on different addresses */
  port?: number;
}

export interface Sink {
  readonly host: string;
  readonly port: number;
  readonly messages: SinkMessage[];
  /** TCP connections accepted so far */
  readonly connections: number;
  /** the PEM certificate (when tls or secure), for clients that want to verify */
  readonly cert?: string;
  waitFor(count: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

let certPromise: Promise<{ key: string; cert: string }> | undefined;

/** One self-signed P-256 certificate per test process. */
export function testCertificate(): Promise<{ key: string; cert: string }> {
  certPromise ??= (async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sealpost-sink-'));
    try {
      const key = join(dir, 'key.pem');
      const cert = join(dir, 'cert.pem');
      await promisify(execFile)('openssl', [
        'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
        '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=localhost',
        '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
      ]);
      return { key: await readFile(key, 'utf8'), cert: await readFile(cert, 'utf8') };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  })();
  return certPromise;
}

/** Turns '550 5.1.1 no such user' into the error smtp-server answers with. */
function refusal(reply: string): Error {
  const m = /^([2-5]\d\d)\s*(.*)$/.exec(reply.trim());
  if (!m) throw new Error(`sink: reply must start with a code: ${reply}`);
  return Object.assign(new Error(m[2] ?? ''), { responseCode: Number(m[1]) });
}

export async function startSink(opts: SinkOptions = {}): Promise<Sink> {
  const messages: SinkMessage[] = [];
  const waiters = new Set<() => void>();
  const connectionNo = new Map<string, number>();
  let connections = 0;
  const pem = opts.tls || opts.secure ? (opts.certificate ?? (await testCertificate())) : undefined;
  const host = opts.host ?? '127.0.0.1';

  const options: SMTPServerOptions = {
    secure: opts.secure === true,
    hideSTARTTLS: !opts.tls,
    hideENHANCEDSTATUSCODES: true,
    hide8BITMIME: opts.hide8BitMime === true,
    hideSMTPUTF8: opts.hideSmtpUtf8 === true,
    hidePIPELINING: opts.hidePipelining === true,
    disableReverseLookup: true,
    closeTimeout: 200,
    logger: false,
    ...(opts.size ? { size: opts.size } : {}),
    ...(opts.idleTimeoutMs ? { socketTimeout: opts.idleTimeoutMs } : {}),
    ...(pem ? { key: pem.key, cert: pem.cert } : {}),
    // smtp-server answers a hidden STARTTLS anyway (with a built-in, expired certificate): a sink
    // without tls must refuse it outright so "no STARTTLS" really means none.
    disabledCommands: [...(opts.tls ? [] : ['STARTTLS']), ...(opts.auth ? [] : ['AUTH'])],
    ...(opts.auth ? { authMethods: ['PLAIN', 'LOGIN'], authOptional: false, allowInsecureAuth: false } : { authOptional: true }),
    onConnect(session, callback) {
      connectionNo.set(session.id, ++connections);
      const reply = opts.onConnect?.(session) ?? null;
      callback(reply ? refusal(reply) : null);
    },
    onAuth(auth, _session, callback) {
      if (opts.auth && auth.username === opts.auth.user && auth.password === opts.auth.pass) return callback(null, { user: auth.username });
      callback(Object.assign(new Error('5.7.8 authentication failed'), { responseCode: 535 }));
    },
    onMailFrom(address, session, callback) {
      const reply = opts.onMail?.(address.address, session) ?? null;
      callback(reply ? refusal(reply) : null);
    },
    onRcptTo(address, session, callback) {
      const reply = opts.onRcpt?.(address.address, session) ?? null;
      callback(reply ? refusal(reply) : null);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const envelope = session.envelope;
        const message: SinkMessage = {
          from: envelope.mailFrom ? envelope.mailFrom.address : '',
          to: envelope.rcptTo.map((r) => r.address),
          body: Buffer.concat(chunks),
          tls: session.secure,
          connection: connectionNo.get(session.id) ?? 0,
          bodyType: envelope.bodyType ?? '7bit',
          smtpUtf8: envelope.smtpUtf8 === true,
          ...(typeof session.user === 'string' ? { authUser: session.user } : {}),
        };
        const reply = opts.onData?.(message, session) ?? null;
        if (reply) return callback(refusal(reply));
        messages.push(message);
        for (const wake of waiters) wake();
        callback(null, `2.0.0 Ok: queued as ${messages.length}`);
      });
    },
  };
  const server = new SMTPServer(options);
  // An aborted TLS handshake or a reset socket is reported here; without a listener it would crash the test run.
  server.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const address = server.server.address();
  if (!address || typeof address === 'string') throw new Error('sink: no TCP address');

  return {
    host,
    port: address.port,
    messages,
    get connections() {
      return connections;
    },
    ...(pem ? { cert: pem.cert } : {}),
    waitFor(count, timeoutMs = 5000) {
      if (messages.length >= count) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`sink: ${messages.length} of ${count} messages after ${timeoutMs} ms`));
        }, timeoutMs);
        const check = (): void => {
          if (messages.length < count) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve();
        };
        waiters.add(check);
      });
    },
    close() {
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
