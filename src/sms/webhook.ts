/**
 * SMS through an HTTP webhook (config `sms.webhook`): one POST per message to `url` with the
 * configured headers and `bodyTemplate`, whose `{{number}}` and `{{text}}` are replaced — escaped
 * for JSON when the Content-Type is JSON (the default), URL-encoded for a form body, as is
 * otherwise. A 2xx answer is success; anything else, a timeout or a network error is a transient
 * SP_ERR_SMS_SEND_FAILED (the message is deferred and tried again).
 * SECURITY: the error names the URL's origin and the HTTP status, never the body sent or
 * received (the text holds a password, and a provider may echo it back).
 */
import { SealpostError } from '../errors/index.js';
import type { SmsProvider } from './provider.js';

export interface WebhookOptions {
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** default `{"to":"{{number}}","text":"{{text}}"}` */
  readonly bodyTemplate?: string;
  readonly timeoutMs?: number;
  readonly fetch?: typeof fetch;
}

export const DEFAULT_BODY_TEMPLATE = '{"to":"{{number}}","text":"{{text}}"}';

function contentTypeOf(headers: Readonly<Record<string, string>>): string {
  const entry = Object.entries(headers).find(([k]) => k.toLowerCase() === 'content-type');
  return entry ? entry[1].toLowerCase() : 'application/json';
}

export function fillTemplate(template: string, values: Readonly<Record<string, string>>, contentType: string): string {
  const escape = contentType.includes('json')
    ? (v: string) => JSON.stringify(v).slice(1, -1)
    : contentType.includes('x-www-form-urlencoded')
      ? (v: string) => encodeURIComponent(v)
      : (v: string) => v;
  return template.replace(/\{\{\s*(\w+)\s*\}\}/g, (all, name: string) => (name in values ? escape(values[name]!) : all));
}

export function webhookSmsProvider(options: WebhookOptions): SmsProvider {
  const headers = { ...(options.headers ?? {}) };
  const contentType = contentTypeOf(headers);
  if (!Object.keys(headers).some((k) => k.toLowerCase() === 'content-type')) headers['Content-Type'] = 'application/json';
  const template = options.bodyTemplate ?? DEFAULT_BODY_TEMPLATE;
  const doFetch = options.fetch ?? fetch;
  const origin = new URL(options.url).origin;
  return {
    name: `webhook ${origin}`,
    async send(number, text) {
      const body = fillTemplate(template, { number, text }, contentType);
      let status: number;
      try {
        const res = await doFetch(options.url, { method: 'POST', headers, body, redirect: 'error', signal: AbortSignal.timeout(options.timeoutMs ?? 10_000) });
        status = res.status;
        await res.body?.cancel().catch(() => undefined);
      } catch (err) {
        const why = err instanceof Error && err.name === 'TimeoutError' ? 'timed out' : 'could not be reached';
        throw new SealpostError('SP_ERR_SMS_SEND_FAILED', `SMS webhook ${origin} ${why}`, { stage: 'pdf' }, { cause: err instanceof Error ? new Error(err.name) : undefined });
      }
      if (status < 200 || status > 299) throw new SealpostError('SP_ERR_SMS_SEND_FAILED', `SMS webhook ${origin} answered HTTP ${status}`, { stage: 'pdf', status });
    },
  };
}
