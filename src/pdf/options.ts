/**
 * The `pdf` method's settings from the validated config (`profiles.<name>.pdf`, `pdf`, `sms`):
 * fonts, page size and MIME limits for rendering, and the SMS provider and number directory.
 * Kept out of app.ts so the composition root stays one line per method.
 */
import { existsSync } from 'node:fs';
import type { Config } from '../config/schema.js';
import { loadFonts } from './fonts.js';
import type { PdfMethodOptions } from '../protect/pdf-method.js';
import { fileSmsDirectory } from '../sms/directory.js';
import { webhookSmsProvider } from '../sms/webhook.js';
import type { PasswordNotifier } from './password-notice.js';

export function pdfMethodOptions(config: Config, resolvePath: (p: string) => string, notifier: PasswordNotifier, wording?: PdfMethodOptions['wording']): PdfMethodOptions {
  const { pdf, sms } = config;
  return {
    profile: (name) => config.profiles[name]?.pdf,
    render: {
      fonts: pdf.fonts.map((f) => ({ file: resolvePath(f.file), ...(f.postscriptName ? { postscriptName: f.postscriptName } : {}) })),
      pageSize: pdf.pageSize,
      limits: { maxParts: pdf.maxParts, maxDepth: pdf.maxDepth },
    },
    notifier,
    ...(wording ? { wording } : {}),
    sms: {
      provider: sms.webhook ? webhookSmsProvider({ url: sms.webhook.url, headers: sms.webhook.headers, bodyTemplate: sms.webhook.bodyTemplate, timeoutMs: sms.webhook.timeout }) : null,
      directory: sms.directory ? fileSmsDirectory(resolvePath(sms.directory)) : null,
      acceptHeader: sms.acceptHeader,
      text: sms.text,
    },
  };
}

/**
 * Problems worth a warning at start (the method still runs; the affected messages defer with a
 * clear error): fonts that do not load, a missing SMS directory. Empty when no profile uses pdf.
 */
export function pdfSetupWarnings(config: Config, resolvePath: (p: string) => string): string[] {
  const profiles = Object.entries(config.profiles).filter(([, p]) => p.order.includes('pdf'));
  if (profiles.length === 0) return [];
  const warnings: string[] = [];
  try {
    const { unavailable } = loadFonts(config.pdf.fonts.map((f) => ({ file: resolvePath(f.file), ...(f.postscriptName ? { postscriptName: f.postscriptName } : {}) })));
    for (const u of unavailable) warnings.push(`pdf.fonts: ${u.file} unavailable (${u.reason}); characters only it covers show as a note in PDFs`);
  } catch (err) {
    warnings.push(`pdf.fonts: ${err instanceof Error ? err.message : String(err)}; PDF messages will be deferred`);
  }
  const smsProfiles = profiles.filter(([, p]) => p.pdf.passwordMode === 'sms').map(([n]) => n);
  if (smsProfiles.length > 0 && config.sms.directory && !existsSync(resolvePath(config.sms.directory))) {
    warnings.push(`sms.directory: ${resolvePath(config.sms.directory)} does not exist; profiles ${smsProfiles.join(', ')} cannot reach recipients by SMS until it does`);
  }
  return warnings;
}
