/**
 * The `pdf` method's settings from the validated config (`profiles.<name>.pdf`, `pdf`, `sms`):
 * fonts, page size and MIME limits for rendering, and the SMS provider and number directory.
 * Kept out of app.ts so the composition root stays one line per method.
 */
import type { Config } from '../config/schema.js';
import type { PdfMethodOptions } from '../protect/pdf-method.js';
import { fileSmsDirectory } from '../sms/directory.js';
import { webhookSmsProvider } from '../sms/webhook.js';
import type { PasswordNotifier } from './password-notice.js';

export function pdfMethodOptions(config: Config, resolvePath: (p: string) => string, notifier: PasswordNotifier): PdfMethodOptions {
  const { pdf, sms } = config;
  return {
    profile: (name) => config.profiles[name]?.pdf,
    render: {
      fonts: pdf.fonts.map((f) => ({ file: resolvePath(f.file), ...(f.postscriptName ? { postscriptName: f.postscriptName } : {}) })),
      pageSize: pdf.pageSize,
      limits: { maxParts: pdf.maxParts, maxDepth: pdf.maxDepth },
    },
    notifier,
    sms: {
      provider: sms.webhook ? webhookSmsProvider({ url: sms.webhook.url, headers: sms.webhook.headers, bodyTemplate: sms.webhook.bodyTemplate, timeoutMs: sms.webhook.timeout }) : null,
      directory: sms.directory ? fileSmsDirectory(resolvePath(sms.directory)) : null,
      acceptHeader: sms.acceptHeader,
      text: sms.text,
    },
  };
}
