/**
 * notify/ — messages the gateway writes itself: RFC 3464 delivery status notifications and
 * plain-English notices (encryption failed, quarantined, …). Builders are pure functions from a
 * small input to the complete message bytes; the caller queues them (never speaks SMTP itself),
 * with `<>` as envelope sender for DSNs. Localised templates come in a later issue.
 * SECURITY: reports carry the original's header block only, never its body; every message is
 * marked X-Sealpost-Notification + Auto-Submitted so it is never re-processed or bounced to.
 * STANDARDS: RFC 3464, RFC 6522, RFC 3463, RFC 3834, RFC 5322, RFC 2045–2047, RFC 6533.
 */
export { buildDsn, reportAddress, type DsnInput, type DsnRecipient } from './dsn.js';
export { buildNotice, bodyPart, NOTICE_TYPES, type NoticeInput, type NoticeType } from './notice.js';
export { createNotifier, directionFor, type Notifier, type NoticeRequest, type NoticeVar, type NotifierOptions } from './notifier.js';
export { headerText } from './mime.js';
