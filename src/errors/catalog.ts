/**
 * errors/ — the one catalog of Sealpost error codes.
 *
 * Every failure that crosses a module boundary carries one of these string codes. Each entry says
 * whether retrying can help (transient) and how the code maps onto SMTP and HTTP at the edges.
 * Expected outcomes ("no certificate", "signature invalid") are values, never entries here.
 * SECURITY: messages are fixed text; per-case detail goes into SealpostError.context, which must
 * never hold secrets or message bodies.
 */

export interface ErrorSpec {
  readonly message: string;
  readonly transient: boolean;
  /** reply used when this error surfaces during an SMTP transaction */
  readonly smtp: { readonly code: number; readonly enhanced: string };
  readonly http: number;
}

const tempfail = { code: 451, enhanced: '4.3.0' } as const;
const permfail = { code: 554, enhanced: '5.3.0' } as const;

export const ERROR_CATALOG = {
  SP_ERR_CONFIG_INVALID: { message: 'configuration is invalid', transient: false, smtp: permfail, http: 400 },
  SP_ERR_CONFIG_NOT_FOUND: { message: 'configuration file not found', transient: false, smtp: permfail, http: 400 },
  SP_ERR_CONFIG_ENV_MISSING: { message: 'configuration references an unset environment variable', transient: false, smtp: permfail, http: 400 },
  SP_ERR_CONFIG_EXISTS: { message: 'refusing to overwrite an existing file without --force', transient: false, smtp: permfail, http: 409 },
  SP_ERR_STORE_UNAVAILABLE: { message: 'storage is unavailable', transient: true, smtp: tempfail, http: 503 },
  SP_ERR_STORE_WRITE_FAILED: { message: 'storage write failed', transient: true, smtp: tempfail, http: 503 },
  SP_ERR_STORE_CORRUPT: { message: 'a stored row could not be read', transient: false, smtp: tempfail, http: 500 },
  SP_ERR_STORE_NOT_FOUND: { message: 'no such item', transient: false, smtp: permfail, http: 404 },
  SP_ERR_SPOOL_COMMIT_FAILED: { message: 'message could not be committed to the spool', transient: true, smtp: tempfail, http: 503 },
  SP_ERR_RECEIVE_RELAY_DENIED: { message: 'relay access denied', transient: false, smtp: { code: 554, enhanced: '5.7.1' }, http: 403 },
  SP_ERR_RECEIVE_TOO_BIG: { message: 'message size exceeds fixed maximum message size', transient: false, smtp: { code: 552, enhanced: '5.3.4' }, http: 413 },
  SP_ERR_RECEIVE_BARE_LINEFEED: { message: 'bare CR or LF in message data is not accepted', transient: false, smtp: { code: 554, enhanced: '5.6.0' }, http: 400 },
  SP_ERR_RECEIVE_TOO_MANY_HOPS: { message: 'too many hops, mail loop suspected', transient: false, smtp: { code: 554, enhanced: '5.4.6' }, http: 508 },
  SP_ERR_RECEIVE_AUTH_FAILED: { message: 'authentication failed', transient: false, smtp: { code: 535, enhanced: '5.7.8' }, http: 401 },
  SP_ERR_RECEIVE_TOO_MANY_CONNECTIONS: { message: 'too many connections from your address', transient: true, smtp: { code: 421, enhanced: '4.7.0' }, http: 429 },
  SP_ERR_PIPELINE_STEP_FAILED: { message: 'a pipeline step failed', transient: true, smtp: tempfail, http: 500 },
  SP_ERR_PIPELINE_STEP_TIMEOUT: { message: 'a pipeline step timed out', transient: true, smtp: tempfail, http: 504 },
  SP_ERR_PIPELINE_UNTERMINATED: { message: 'pipeline left recipients without a terminal state', transient: false, smtp: permfail, http: 500 },
  SP_ERR_PIPELINE_UNKNOWN_PROCESSOR: { message: 'pipeline referenced an unknown processor', transient: false, smtp: permfail, http: 500 },
  SP_ERR_MIME_MALFORMED: { message: 'message is not well-formed MIME', transient: false, smtp: permfail, http: 400 },
  SP_ERR_DELIVER_CONNECT: { message: 'could not connect to the next hop', transient: true, smtp: tempfail, http: 502 },
  SP_ERR_DELIVER_REJECTED: { message: 'the next hop rejected the message', transient: false, smtp: permfail, http: 502 },
  SP_ERR_DELIVER_TEMPFAIL: { message: 'the next hop deferred the message', transient: true, smtp: tempfail, http: 502 },
  SP_ERR_DELIVER_TLS_REQUIRED: { message: 'TLS was required but could not be established', transient: true, smtp: tempfail, http: 502 },
  SP_ERR_PDF_FONT_MISSING: { message: 'no configured PDF font could be loaded', transient: true, smtp: tempfail, http: 500 },
  SP_ERR_PDF_RENDER_FAILED: { message: 'the message could not be rendered as a PDF', transient: true, smtp: tempfail, http: 500 },
  SP_ERR_PDF_ENCRYPT_FAILED: { message: 'the PDF could not be encrypted', transient: true, smtp: tempfail, http: 500 },
  SP_ERR_PDF_PASSWORD_UNAVAILABLE: { message: 'no PDF password is available for this recipient', transient: true, smtp: tempfail, http: 500 },
  SP_ERR_SMS_SEND_FAILED: { message: 'the SMS with the PDF password could not be sent', transient: true, smtp: tempfail, http: 502 },
  SP_ERR_SMS_DIRECTORY_INVALID: { message: 'the SMS number directory could not be read', transient: true, smtp: tempfail, http: 500 },
  SP_ERR_DLP_UNKNOWN_DETECTOR: { message: 'no such DLP detector', transient: false, smtp: permfail, http: 400 },
  SP_ERR_PORTAL_REPLY_REFUSED: { message: 'the portal refused this reply (recipient or permission)', transient: false, smtp: permfail, http: 403 },
  SP_ERR_PORTAL_INPUT_INVALID: { message: 'the portal refused a value the user entered', transient: false, smtp: permfail, http: 400 },
  SP_ERR_CLI_USAGE: { message: 'invalid command usage', transient: false, smtp: permfail, http: 400 },
  SP_ERR_INTERNAL: { message: 'internal error', transient: true, smtp: tempfail, http: 500 },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERROR_CATALOG;
