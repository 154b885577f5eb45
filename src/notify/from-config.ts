/**
 * Builds the template engine from the config (the only place notify/ reads `notifications`):
 * used by app.ts at start and by `sealpost check`, so both refuse the same broken overrides.
 */
import { resolve } from 'node:path';
import type { Config } from '../config/schema.js';
import { TemplateEngine } from './template/engine.js';
import { loadOverrides } from './template/overrides.js';

/** Throws SP_ERR_CONFIG_INVALID (naming the file) when an override is broken. */
export function engineFromConfig(config: Pick<Config, 'notifications' | 'profiles'>, baseDir: string): TemplateEngine {
  const n = config.notifications;
  const profiles = Object.fromEntries(Object.entries(config.profiles).map(([name, p]) => [name, { locale: p.portal.locale, branding: p.portal.branding }]));
  return new TemplateEngine({
    defaultLocale: n.locale,
    timeZone: n.timeZone,
    brandings: n.brandings,
    ...(n.branding ? { defaultBranding: n.branding } : {}),
    profiles,
    ...(n.templatesDir ? { overrides: loadOverrides(resolve(baseDir, n.templatesDir)) } : {}),
  });
}

/** The system sender (`notifications.from`, default postmaster@<hostname>) and its display name. */
export function systemSender(config: Pick<Config, 'notifications' | 'hostname'>): { from: string; fromName?: string } {
  return { from: config.notifications.from ?? `postmaster@${config.hostname}`, ...(config.notifications.fromName ? { fromName: config.notifications.fromName } : {}) };
}
