/** Public shapes of the receiving edge; see index.ts for what the folder does. */
import type { Logger } from 'pino';
import type { ReceivedMessage } from '../spool/types.js';

export interface ListenerOptions {
  name: string;
  /** port 0 = ephemeral (tests) */
  host: string;
  port: number;
  /** our name in the banner and the Received header */
  hostname: string;
  direction: 'auto' | 'inbound' | 'outbound';
  /** 'example.com' exact, '*.example.com' = subdomains (not the apex unless also listed) */
  internalDomains: string[];
  /** CIDRs (IPv4 and IPv6; IPv4-mapped IPv6 peers match IPv4 CIDRs) */
  relayFrom: string[];
  /** PEM. null => a self-signed certificate for `hostname` is generated at start */
  tls: { cert: string; key: string } | null;
  /** advertise STARTTLS */
  starttls: boolean;
  /** SMTPS listener (TLS from the first byte) */
  implicitTls: boolean;
  /** refuse MAIL before STARTTLS (530 5.7.0) */
  requireTls: boolean;
  /** AUTH PLAIN/LOGIN; empty users => AUTH not offered */
  auth: { required: boolean; users: { username: string; password: string }[] };
  /** bytes */
  maxMessageSize: number;
  /** concurrent; over => 421 4.7.0 at connect */
  maxConnectionsPerIp: number;
  /** per transaction; over => 452 4.5.3 */
  maxRecipients: number;
  /** Received headers (ours included) above which a message is refused 554 5.4.6 */
  maxHops: number;
}

export interface ReceiveDeps {
  spool: { accept(message: ReceivedMessage): Promise<void> };
  logger: Logger;
  /** from src/mail/ids.ts */
  newId: () => string;
  now?: () => number;
}

export interface SmtpListener {
  readonly name: string;
  start(): Promise<{ host: string; port: number }>;
  stop(): Promise<void>;
}
