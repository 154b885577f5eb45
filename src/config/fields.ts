/** Reusable zod field types for the config schema: units, addresses, listen specs. */
import { z } from 'zod';
import { DURATION_PATTERN, SIZE_PATTERN, parseDuration, parseSize } from './units.js';

/** A duration such as "5m" or "4d", parsed to milliseconds. */
export const duration = z
  .string()
  .regex(DURATION_PATTERN, { message: 'expected a duration like 30s, 5m, 4h or 5d' })
  .transform((s) => parseDuration(s)!);

/** A size such as "25MB", parsed to bytes. */
export const size = z
  .union([z.number().int().nonnegative(), z.string().regex(SIZE_PATTERN, { message: 'expected a size like 512KB or 25MB' })])
  .transform((v) => (typeof v === 'number' ? v : parseSize(v)!));

const DOMAIN = /^(\*\.)?([a-z0-9-]+\.)*[a-z0-9-]+$/i;
/** "example.com" or "*.example.com" (subdomains only). */
export const domainPattern = z.string().regex(DOMAIN, { message: 'expected a domain like example.com or *.example.com' }).transform((s) => s.toLowerCase());
export const domain = z.string().regex(/^([a-z0-9-]+\.)*[a-z0-9-]+$/i, { message: 'expected a domain name' }).transform((s) => s.toLowerCase());

export const emailAddress = z.string().regex(/^[^\s@<>]+@[^\s@<>]+$/, { message: 'expected an e-mail address like user@example.com' });

/** "host:port", "[v6]:port" or ":port"; validated here so a typo fails at `sealpost check`, not at start. */
export const listen = z
  .string()
  .regex(/^(\[[0-9a-f:.]+\]|[a-z0-9.-]*):\d{1,5}$/i, { message: 'expected host:port such as 127.0.0.1:2525 or [::1]:2525', abort: true })
  .refine((s) => Number(s.slice(s.lastIndexOf(':') + 1)) <= 65535, { message: 'port must be 0-65535' });

export const cidr = z
  .string()
  .regex(/^([0-9.]+|[0-9a-f:]+)\/\d{1,3}$/i, { message: 'expected a CIDR like 10.0.0.0/8 or ::1/128' });

/** smtp://, smtps://, submission://user:pass@host:587, mx or capture */
export const nextHop = z
  .string()
  .regex(/^(mx|capture|(smtp|smtps|submission):\/\/.+)$/, { message: 'expected smtp://host:port, smtps://host:port, submission://user:pass@host:587, mx or capture' });
