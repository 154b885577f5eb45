/**
 * receive/ — the SMTP receiving edge: listeners on smtp-server, session hooks, relay rules.
 *
 * A message is accepted with 250 only after the spool has committed it (DESIGN §2, §6). Each
 * recipient gets its direction here (DESIGN §1); everything beyond the closed set of SMTP-time
 * checks happens later, in the pipeline.
 *
 * SECURITY: all input is untrusted and unauthenticated until AUTH. Defences live here against
 * open relaying, SMTP smuggling (bare CR/LF refused), STARTTLS command injection (plaintext
 * pipelined after STARTTLS discarded), cleartext passwords (AUTH only under TLS or on loopback),
 * password guessing (throttled 535s), connection floods (per-address limit) and mail loops (hop
 * count). Bodies and passwords never reach the logs.
 *
 * STANDARDS: RFC 5321 (SMTP), RFC 3207 (STARTTLS), RFC 8314 (implicit TLS), RFC 4954 and RFC 4616
 * (AUTH, PLAIN), RFC 1870 (SIZE), RFC 6152 (8BITMIME), RFC 6531 (SMTPUTF8), RFC 2920 (PIPELINING),
 * RFC 2034 and RFC 3463 (enhanced status codes), RFC 3848 (Received protocol types).
 */
export type { ListenerOptions, ReceiveDeps, SmtpListener } from './types.js';
export { createSmtpListener } from './smtp-listener.js';
export { createRelayPolicy, decideRecipient, sessionMayRelay, type RelayPolicy, type RecipientDecision } from './relay-rules.js';
