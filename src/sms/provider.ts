/**
 * sms/ — text messages to phones, used to send PDF passwords (profile `pdf.passwordMode: sms`).
 * Providers are pluggable behind SmsProvider; the one shipped is an HTTP webhook (webhook.ts), so
 * any SMS gateway with an HTTP API (or a small relay in front of one) can be used.
 * SECURITY: the text carries a password: providers never log it and never put it in an error.
 */

export interface SmsProvider {
  /** short name for logs and the trace */
  readonly name: string;
  /** Sends `text` to `number` (E.164, e.g. +4915112345678). Throws a SealpostError when it fails. */
  send(number: string, text: string): Promise<void>;
}

/** E.164 after removing spaces, dots, dashes and parentheses; null when it is not a phone number. */
export function normalizeNumber(value: string): string | null {
  const compact = value.trim().replace(/[\s.()-]/g, '').replace(/^00/, '+');
  return /^\+?[1-9][0-9]{5,14}$/.test(compact) ? compact : null;
}

/** The number without all but its last digits, for the trace and the recipient's notice. */
export const maskNumber = (number: string): string => `…${number.slice(-3)}`;
