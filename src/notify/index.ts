/**
 * notify/ — messages the gateway writes itself: notices to people (portal message, PDF password,
 * encryption failed, quarantined, …) and RFC 3464 delivery status notifications. One template
 * engine (template/) writes all of them: 12 built-in locales, text + HTML from the same strings,
 * branding, overrides from `notifications.templatesDir` (docs/notifications.md). Steps ask the
 * Notifier (notifier.ts) for a complete, stamped notice and emit it; nothing here speaks SMTP.
 * SECURITY: variables are untrusted and escaped per output; reports carry the original's header
 * block only, never its body; every message is marked X-Sealpost-Notification + Auto-Submitted
 * and carries the loop marker, so it is never re-processed or bounced to.
 * STANDARDS: RFC 3464, RFC 6522, RFC 3463, RFC 3834, RFC 3282, RFC 5322, RFC 2045–2047, RFC 6533.
 */
export { buildDsn, reportAddress, type DsnInput, type DsnRecipient } from './dsn.js';
export { buildNotice, bodyPart, NOTICE_TYPES, type NoticeInput, type NoticeType } from './notice.js';
export { createNotifier, directionFor, type Notifier, type NoticeRequest, type NoticeVar, type NotifierOptions } from './notifier.js';
export { headerText } from './mime.js';
export { TemplateEngine, type EngineOptions, type RenderedNotice, type RenderRequest } from './template/engine.js';
export { DEFAULT_BRANDING, type Branding } from './template/layout.js';
export { BUILTIN_LOCALES, TEMPLATE_TYPES, type ComposableType, type TemplateType } from './template/types.js';
export { engineFromConfig, systemSender } from './from-config.js';
