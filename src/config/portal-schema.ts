/**
 * config/portal-schema — the `portal` section (DESIGN §4): the recipients' web portal listener
 * and the gateway-wide lifecycle and security settings. What varies per profile (security
 * level, expiry, reply rights, read receipts, locale, branding) is `profiles.<name>.portal`.
 * SECURITY: the portal is a public-facing listener; it is off until enabled, so an upgrade or a
 * default config never opens a port nobody asked for.
 */
import { z } from 'zod';
import { duration, listen, size } from './fields.js';

export const portalSchema = z
  .strictObject({
    enabled: z
      .boolean()
      .default(false)
      .describe('run the recipients\' portal (its own HTTPS listener) and let profiles use the `portal` method; when false, `portal` in a profile\'s order is skipped'),
    listen: listen.default('127.0.0.1:8443').describe('address the portal listens on (HTTPS)'),
    baseUrl: z
      .string()
      .url()
      .refine((u) => u.startsWith('https://'), { message: 'portal.baseUrl must be an https:// URL (secure cookies and passkeys need HTTPS)' })
      .default('https://localhost:8443')
      .describe('public URL of the portal: links in notices start with it, and its host is the passkey (WebAuthn) relying-party id — use a host name, not an IP address'),
    tls: z
      .strictObject({
        cert: z.string().optional().describe('PEM certificate (chain) file; omitted = a self-signed certificate for the baseUrl host is generated at start'),
        key: z.string().optional().describe('PEM private key file for `cert`'),
      })
      .refine((t) => (t.cert === undefined) === (t.key === undefined), { message: 'portal.tls needs both cert and key, or neither' })
      .prefault({}),
    session: z
      .strictObject({
        idle: duration.prefault('30m').describe('a login ends after this long without a request'),
        maxAge: duration.prefault('12h').describe('a login ends this long after it began, whatever the activity'),
        rememberDevice: duration.prefault('30d').describe('security `medium`: how long a browser that logged in is remembered'),
      })
      .prefault({}),
    lockout: z
      .strictObject({
        maxFailures: z.number().int().positive().default(5).describe('failed logins in a row that lock an account'),
        duration: duration.prefault('15m').describe('how long a locked account refuses logins'),
        ipFailuresPer10Min: z.number().int().positive().default(20).describe('failed logins from one client IP per 10 minutes before that IP must wait'),
      })
      .prefault({}),
    maxUpload: size.prefault('25MB').describe('largest reply (text and attachments) a recipient may send from the portal'),
    linkValidity: duration
      .prefault('30d')
      .describe('how long the link in a notice works for a message that never expires (a message with an expiry: until then)'),
    reminders: z
      .array(duration)
      .default([])
      .describe('reminder notices for unread messages, measured from the deposit, e.g. [1d, 3d]'),
    notifySender: z
      .boolean()
      .default(false)
      .describe('the sender gets a notice per portal recipient with a link that recalls the message'),
    expiredNotice: z.boolean().default(true).describe('the sender is told when a message expires unread'),
    retention: z
      .strictObject({
        messages: duration.prefault('30d').describe('an expired or recalled message\'s record (never its body: that is destroyed at once) is kept this long'),
        sent: duration.prefault('90d').describe('replies kept in a recipient\'s sent items'),
        audit: duration.prefault('365d').describe('portal audit log entries (logins, reads, recalls)'),
      })
      .prefault({}),
  })
  .prefault({});

export type PortalConfig = z.output<typeof portalSchema>;
