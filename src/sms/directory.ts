/**
 * Where recipients' mobile numbers come from (for `pdf.passwordMode: sms`):
 * 1. the directory file `sms.directory`: CSV lines `address,number` (a `#` starts a comment; a
 *    first line `address,number` is a header), or, for a .yaml/.yml file, a map
 *    `address: number`. Read again when the file changes (checked at most once a second), so an
 *    edit applies to the next message without a restart. `*@domain` entries are not supported:
 *    a number belongs to one person.
 * 2. the header `X-Sealpost-Sms-Number` from an internal (relaying) sender — `+4915112345678`
 *    for every recipient, or `bob@partner.test=+4915112345678, carol@…=+33…` per recipient.
 *    Honoured only from internal senders (like every request header, DESIGN §5) and the
 *    directory wins over it, so an outsider can never pick where a password goes.
 * SECURITY: numbers are validated as E.164 before they reach a provider.
 */
import { readFileSync, statSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { SealpostError } from '../errors/index.js';
import { normalizeNumber } from './provider.js';

export const SMS_NUMBER_HEADER = 'X-Sealpost-Sms-Number';

export interface SmsDirectory {
  /** the number for this address from the directory file, or null */
  lookup(address: string): string | null;
}

export function parseDirectory(text: string, yaml: boolean, file = 'sms directory'): Map<string, string> {
  const map = new Map<string, string>();
  const bad = (where: string, why: string) => new SealpostError('SP_ERR_SMS_DIRECTORY_INVALID', `${file} ${where}: ${why}`, { stage: 'pdf', path: file });
  const add = (address: string, value: string, where: string) => {
    const a = address.trim().toLowerCase();
    if (!/^[^\s@]+@[^\s@]+$/.test(a)) throw bad(where, `"${a.slice(0, 80)}" is not an address`);
    const n = normalizeNumber(value);
    if (!n) throw bad(where, `"${value.slice(0, 40)}" is not a phone number (E.164, e.g. +4915112345678)`);
    map.set(a, n);
  };
  if (yaml) {
    const doc: unknown = parseYaml(text) ?? {};
    if (typeof doc !== 'object' || Array.isArray(doc)) throw bad('', 'expected a map of address: number');
    for (const [k, v] of Object.entries(doc as Record<string, unknown>)) add(k, String(v), `entry ${k}`);
    return map;
  }
  text.split(/\r?\n/).forEach((line, i) => {
    const content = line.replace(/#.*$/, '').trim();
    if (!content) return;
    const [address, number, ...rest] = content.split(/[,;\t]/).map((s) => s.trim());
    if (i === 0 && address?.toLowerCase() === 'address') return;
    if (!address || !number || rest.some((r) => r)) throw bad(`line ${i + 1}`, 'expected "address,number"');
    add(address, number, `line ${i + 1}`);
  });
  return map;
}

/** A directory file, re-read when its modification time or size changes. */
export function fileSmsDirectory(file: string, now: () => number = Date.now): SmsDirectory {
  let entries = new Map<string, string>();
  let stamp = '';
  let checkedAt = -Infinity;
  const refresh = () => {
    if (now() - checkedAt < 1000) return;
    checkedAt = now();
    let s: ReturnType<typeof statSync>;
    try {
      s = statSync(file);
    } catch (err) {
      throw new SealpostError('SP_ERR_SMS_DIRECTORY_INVALID', `${file}: ${(err as NodeJS.ErrnoException).code ?? 'unreadable'}`, { stage: 'pdf', path: file }, { cause: err });
    }
    const next = `${s.mtimeMs}:${s.size}`;
    if (next === stamp) return;
    entries = parseDirectory(readFileSync(file, 'utf8'), /\.ya?ml$/i.test(file), file);
    stamp = next;
  };
  return {
    lookup(address) {
      refresh();
      return entries.get(address.toLowerCase()) ?? null;
    },
  };
}

/** The number a sender's X-Sealpost-Sms-Number header gives for this recipient, or null. */
export function numberFromHeader(values: readonly string[], recipient: string): string | null {
  const who = recipient.toLowerCase();
  let general: string | null = null;
  for (const value of values) {
    for (const item of value.split(',')) {
      const eq = item.indexOf('=');
      if (eq < 0) {
        general ??= normalizeNumber(item);
        continue;
      }
      if (item.slice(0, eq).trim().replace(/^<|>$/g, '').toLowerCase() === who) {
        const n = normalizeNumber(item.slice(eq + 1));
        if (n) return n;
      }
    }
  }
  return general;
}
