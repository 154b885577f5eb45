/**
 * config/notifications-schema — the `notifications` section (DESIGN §4): the system sender, the
 * language of notices, their branding, and a directory of template overrides. Mounted by
 * schema.ts; cross-checks (profile brandings must exist) are in checkNotificationRefs.
 * SECURITY: branding values end up in HTML: the colour is a strict hex value and the logo an
 * http(s) URL, so neither can carry markup or CSS.
 */
import { z } from 'zod';
import { emailAddress } from './fields.js';

const localeTag = z
  .string()
  .regex(/^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*$/, { message: 'expected a language tag like en, de, ja or pt-BR' });

const timeZone = z.string().refine(
  (tz) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  },
  { message: 'expected an IANA time zone like UTC or Europe/Berlin' },
);

export const brandingSchema = z.strictObject({
  organisation: z.string().min(1).max(100).describe('organisation name: heading of the HTML part, footer line, and the sender display name unless `fromName` is set'),
  colour: z
    .string()
    .regex(/^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/, { message: 'expected a hex colour like #1f4e79' })
    .default('#1f4e79')
    .describe('accent colour (header rule, button) as #rgb or #rrggbb'),
  logoUrl: z
    .string()
    .url()
    .refine((u) => /^https?:\/\//i.test(u), { message: 'expected an http(s) URL' })
    .optional()
    .describe('logo shown instead of the organisation name (many clients block remote images until asked; the name is its alt text); omitted = no logo'),
  footer: z.string().max(500).optional().describe('a line under every notice (address, support contact)'),
  fromName: z.string().min(1).max(100).optional().describe('display name of the system sender for notices of this branding; omitted = notifications.fromName, else the organisation'),
});

export const notificationsSchema = z
  .strictObject({
    from: emailAddress.optional().describe('system sender of notices, e.g. securemail-noreply@example.com; omitted = postmaster@<hostname>'),
    fromName: z.string().min(1).max(100).optional().describe('display name of the system sender; omitted = the branding\'s organisation'),
    admin: emailAddress.optional().describe('where admin notices go'),
    locale: localeTag.default('en').describe('language of notices when neither the request nor the profile (profiles.<name>.portal.locale) names one; built in: en, fr, de, ja, pt, es, it, ko, nl, pl, ru, zh (others fall back to English unless templatesDir has them)'),
    timeZone: timeZone.default('UTC').describe('time zone of dates in notices (expiry, read time)'),
    branding: z.string().optional().describe('name of the branding (in `brandings`) used when the profile names none; omitted = the built-in neutral look ("Secure Mail")'),
    brandings: z.record(z.string().regex(/^[a-z0-9_-]+$/i), brandingSchema).default({}).describe('named brandings for notices, chosen by profiles.<name>.portal.branding (a name not listed here is taken as the organisation name with the default look)'),
    templatesDir: z.string().optional().describe('directory of template overrides <dir>/<locale>/<type>.subject|txt|html (relative to the config file); checked by `sealpost check` and at start — see docs/notifications.md'),
  })
  .prefault({});

type Issue = { code: 'custom'; path: PropertyKey[]; message: string; input: unknown };

/**
 * `notifications.branding` must name one of `brandings`. A profile's `portal.branding` is looser:
 * the portal also shows it as a name, so one that is not in `brandings` is the organisation name
 * with the default look.
 */
export function checkNotificationRefs(config: { notifications: z.output<typeof notificationsSchema> }, addIssue: (issue: Issue) => void): void {
  const known = config.notifications.brandings;
  const b = config.notifications.branding;
  if (b !== undefined && !Object.hasOwn(known, b)) {
    const names = Object.keys(known);
    addIssue({ code: 'custom', path: ['notifications', 'branding'], message: `no branding named "${b}" in notifications.brandings${names.length ? ` (known: ${names.join(', ')})` : ''}`, input: b });
  }
}
