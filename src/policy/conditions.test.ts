import { test } from 'node:test';
import assert from 'node:assert/strict';
import { zipSync, strToU8 } from 'fflate';
import type { Condition } from '../config/policy-schema.js';
import { condition as conditionSchema } from '../config/policy-schema.js';
import { ContentCache } from './content.js';
import { evaluate, needsContent } from './conditions.js';
import { countingScanner, message, out } from './test-support.test-util.js';
import type { MessageFacts } from '../mail/context.js';

const scanner = countingScanner();

async function holds(cond: unknown, raw: string | Buffer, opts: { from?: string; to?: string; facts?: Partial<MessageFacts>; dlp?: Record<string, unknown> } = {}): Promise<boolean> {
  const c = conditionSchema.parse(cond) as Condition;
  const msg = message(raw, [out(opts.to ?? 'bob@partner.test')], opts.from ?? 'alice@example.test', opts.facts ?? {});
  const s = opts.dlp ? countingScanner(opts.dlp) : scanner;
  const cache = new ContentCache(s);
  return evaluate(c, { draft: msg.original, sender: msg.envelope.mailFrom, recipient: msg.envelope.recipients[0]!, size: msg.original.body.length, facts: msg.facts, content: () => cache.get(msg.original), scanner: s });
}

const plain = (subject: string, body: string, extra = '') => `From: alice@example.test\nTo: bob@partner.test\nSubject: ${subject}\n${extra}\n${body}\n`;

function multipart(parts: { type: string; body: string; name?: string; encoding?: string }[]): string {
  const b = 'BOUNDARY42';
  const chunks = parts.map((p) => `--${b}\nContent-Type: ${p.type}${p.name ? `; name="${p.name}"` : ''}\n${p.name ? `Content-Disposition: attachment; filename="${p.name}"\n` : ''}${p.encoding ? `Content-Transfer-Encoding: ${p.encoding}\n` : ''}\n${p.body}\n`);
  return `From: alice@example.test\nTo: bob@partner.test\nSubject: parts\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="${b}"\n\n${chunks.join('')}--${b}--\n`;
}

test('subject: string tests, case-insensitive by default, RFC 2047 decoded', async () => {
  assert.equal(await holds({ subject: { contains: '[SECURE]' } }, plain('[secure] payroll', 'x')), true);
  assert.equal(await holds({ subject: { contains: '[SECURE]', caseSensitive: true } }, plain('[secure] payroll', 'x')), false);
  assert.equal(await holds({ subject: { startsWith: 'Gehalt' } }, plain('=?utf-8?q?Geh=C3=A4lter_[secure]?=', 'x')), false);
  assert.equal(await holds({ subject: { startsWith: 'Gehälter' } }, plain('=?utf-8?q?Geh=C3=A4lter_[secure]?=', 'x')), true);
  assert.equal(await holds({ subject: { matches: '^re:\\s+invoice \\d+$' } }, plain('RE:  Invoice 42', 'x')), true);
  assert.equal(await holds({ subject: { in: ['a', 'hello'] } }, plain('Hello', 'x')), true);
  assert.equal(await holds({ subject: { equals: 'hell' } }, plain('Hello', 'x')), false);
  assert.equal(await holds({ subject: { endsWith: 'LO' } }, plain('Hello', 'x')), true);
});

test('header: any field of that name; envelope from/to and their domains', async () => {
  const raw = plain('s', 'x', 'X-Sealpost-Encrypt: yes\nX-Other: 1\n');
  assert.equal(await holds({ header: { name: 'x-sealpost-encrypt', equals: 'YES' } }, raw), true);
  assert.equal(await holds({ header: { name: 'X-Missing', contains: '' } }, raw), false);
  assert.equal(await holds({ from: { equals: 'Alice@Example.test' } }, raw), true);
  assert.equal(await holds({ to: { endsWith: '@partner.test' } }, raw), true);
  assert.equal(await holds({ fromDomain: { equals: 'example.test' } }, raw), true);
  assert.equal(await holds({ toDomain: { in: ['other.test'] } }, raw), false);
});

test('size, encrypted, signed, all / any / not', async () => {
  const raw = plain('s', 'x'.repeat(2000));
  assert.equal(await holds({ size: { over: '1KB' } }, raw), true);
  assert.equal(await holds({ size: { under: '1KB' } }, raw), false);
  assert.equal(await holds({ encrypted: 'smime' }, raw, { facts: { encrypted: 'smime' } }), true);
  assert.equal(await holds({ encrypted: 'any' }, raw), false);
  assert.equal(await holds({ encrypted: 'none' }, raw), true);
  assert.equal(await holds({ signed: 'pgp' }, raw, { facts: { signed: 'smime' } }), false);
  assert.equal(await holds({ all: [{ subject: { equals: 's' } }, { not: { encrypted: 'any' } }] }, raw), true);
  assert.equal(await holds({ any: [{ subject: { equals: 'no' } }, { from: { contains: 'nobody' } }] }, raw), false);
});

test('body: text/plain and HTML (as text) of the message, not its attachments', async () => {
  const raw = multipart([
    { type: 'text/plain; charset=utf-8', body: 'Hello plain' },
    { type: 'text/html; charset=utf-8', body: '<p>Project <b>Nightingale</b></p>' },
    { type: 'text/plain', body: 'attached secret words', name: 'notes.txt' },
  ]);
  assert.equal(await holds({ body: { contains: 'project nightingale' } }, raw), true, 'HTML tags do not split the words');
  assert.equal(await holds({ body: { contains: 'hello plain' } }, raw), true);
  assert.equal(await holds({ body: { contains: 'secret words' } }, raw), false, 'an attachment is not the body');
});

test('attachment: name, type and size must all hold for one attachment; archive members count', async () => {
  const zip = Buffer.from(zipSync({ 'inner/report.csv': strToU8('a,b\n1,2\n') })).toString('base64');
  const raw = multipart([
    { type: 'text/plain', body: 'see attached' },
    { type: 'application/pdf', body: Buffer.from('%PDF-1.4 not really').toString('base64'), name: 'Invoice.PDF', encoding: 'base64' },
    { type: 'application/zip', body: zip, name: 'files.zip', encoding: 'base64' },
  ]);
  assert.equal(await holds({ attachment: { name: { endsWith: '.pdf' } } }, raw), true);
  assert.equal(await holds({ attachment: { type: { equals: 'application/pdf' }, size: { over: '1MB' } } }, raw), false);
  assert.equal(await holds({ attachment: { name: { endsWith: '.csv' } } }, raw), true, 'a member inside the ZIP');
  assert.equal(await holds({ attachment: { name: { endsWith: '.exe' } } }, raw), false);
});

test('dlp: valid card numbers match, Luhn-invalid ones do not; atLeast; where', async () => {
  const card = plain('order', 'Card: 4111 1111 1111 1111, thanks');
  assert.equal(await holds({ dlp: { detector: 'credit-card' } }, card), true);
  assert.equal(await holds({ dlp: { detector: 'credit-card' } }, plain('order', 'Card: 4111 1111 1111 1112')), false, 'fails the Luhn check');
  assert.equal(await holds({ dlp: { detector: 'credit-card', atLeast: 2 } }, card), false);
  assert.equal(await holds({ dlp: { detector: 'credit-card', atLeast: 2 } }, plain('order', '4111 1111 1111 1111 and 5500 0000 0000 0004')), true);
  assert.equal(await holds({ dlp: { detector: 'credit-card', where: ['attachment'] } }, card), false, 'the card is in the body, not an attachment');
  const inZip = multipart([{ type: 'application/zip', body: Buffer.from(zipSync({ 'cards.txt': strToU8('IBAN DE89 3704 0044 0532 0130 00') })).toString('base64'), name: 'a.zip', encoding: 'base64' }]);
  assert.equal(await holds({ dlp: { detector: 'iban', where: ['attachment'] } }, inZip), true);
  assert.equal(await holds({ dlp: { detector: 'iban', where: ['body'] } }, inZip), false);
});

test('dlp: a part that cannot be scanned matches unless dlp.unscannable is ignore', async () => {
  // nesting deeper than the limit is unscannable
  const nested = `From: a@example.test\nSubject: outer\nMIME-Version: 1.0\nContent-Type: message/rfc822\n\nSubject: inner\nMIME-Version: 1.0\nContent-Type: message/rfc822\n\nSubject: innermost\nContent-Type: text/plain\n\nnothing here\n`;
  assert.equal(await holds({ dlp: { detector: 'credit-card' } }, nested, { dlp: { limits: { maxDepth: 1 } } }), true);
  assert.equal(await holds({ dlp: { detector: 'credit-card' } }, nested, { dlp: { limits: { maxDepth: 1 }, unscannable: 'ignore' } }), false);
});

test('needsContent finds content conditions at any depth', () => {
  assert.equal(needsContent(conditionSchema.parse({ any: [{ subject: { contains: 'x' } }, { not: { body: { contains: 'y' } } }] }) as Condition), true);
  assert.equal(needsContent(conditionSchema.parse({ all: [{ subject: { contains: 'x' } }] }) as Condition), false);
});

test('content the scan never reached (a part limit) makes body and attachment conditions hold under dlp.unscannable: match', async () => {
  const raw = multipart(Array.from({ length: 6 }, (_, i) => ({ type: 'text/plain', body: i === 5 ? 'the secret word is quokka' : `part ${i}` })));
  assert.equal(await holds({ body: { contains: 'quokka' } }, raw), true, 'read in full: found');
  assert.equal(await holds({ body: { contains: 'quokka' } }, raw, { dlp: { limits: { maxParts: 3 } } }), true, 'not found, but not all of it was read');
  assert.equal(await holds({ attachment: { name: { endsWith: '.exe' } } }, raw, { dlp: { limits: { maxParts: 3 } } }), true, 'unread parts may be attachments too');
  assert.equal(await holds({ body: { contains: 'quokka' } }, raw, { dlp: { limits: { maxParts: 3 }, unscannable: 'ignore' } }), false, 'dlp.unscannable: ignore');
  assert.equal(await holds({ dlp: { detector: 'credit-card', where: ['body'] } }, raw, { dlp: { limits: { maxParts: 3 } } }), true, 'where does not hide what was not scanned');
});

test('dlp where: [header] looks at the header block (built-in detectors skip it otherwise)', async () => {
  const raw = plain('hello', 'no addresses here', 'Cc: a1@x.test, a2@x.test, a3@x.test, a4@x.test, a5@x.test\n');
  assert.equal(await holds({ dlp: { detector: 'email-addresses', atLeast: 5, where: ['header'] } }, raw), true);
  assert.equal(await holds({ dlp: { detector: 'email-addresses', atLeast: 5, where: ['body'] } }, raw), false);
});
