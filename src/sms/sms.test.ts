import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SealpostError } from '../errors/index.js';
import { fileSmsDirectory, numberFromHeader, parseDirectory } from './directory.js';
import { maskNumber, normalizeNumber } from './provider.js';
import { fillTemplate, webhookSmsProvider } from './webhook.js';

test('numbers are normalised to E.164 or refused', () => {
  assert.equal(normalizeNumber('+49 151 1234-5678'), '+4915112345678');
  assert.equal(normalizeNumber('0049 (151) 12345678'), '+4915112345678');
  assert.equal(normalizeNumber('12'), null);
  assert.equal(normalizeNumber('+49abc'), null);
  assert.equal(normalizeNumber('+0123456789'), null);
  assert.equal(maskNumber('+4915112345678'), '…678');
});

test('directory: CSV with header and comments, YAML map; bad lines are errors naming the line', () => {
  const csv = parseDirectory('address,number\n# partners\nBob@Partner.test, +49 151 1111111\ncarol@partner.test;+33612345678 # mobile\n', false);
  assert.deepEqual([...csv], [['bob@partner.test', '+491511111111'], ['carol@partner.test', '+33612345678']]);
  const yaml = parseDirectory('bob@partner.test: "+491511111111"\n', true);
  assert.equal(yaml.get('bob@partner.test'), '+491511111111');
  assert.throws(() => parseDirectory('bob@partner.test,not-a-number\n', false, 'numbers.csv'), (e: unknown) => e instanceof SealpostError && e.code === 'SP_ERR_SMS_DIRECTORY_INVALID' && /numbers\.csv line 1/.test(e.message));
  assert.throws(() => parseDirectory('nobody,+491511111111\n', false), /not an address/);
});

test('directory file is re-read when it changes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sealpost-sms-'));
  try {
    const file = join(dir, 'numbers.csv');
    writeFileSync(file, 'bob@partner.test,+491511111111\n');
    let now = 0;
    const d = fileSmsDirectory(file, () => now);
    assert.equal(d.lookup('BOB@partner.test'), '+491511111111');
    assert.equal(d.lookup('carol@partner.test'), null);
    writeFileSync(file, 'bob@partner.test,+491511111111\ncarol@partner.test,+33612345678\n');
    utimesSync(file, new Date(), new Date(Date.now() + 5000));
    now += 1500;
    assert.equal(d.lookup('carol@partner.test'), '+33612345678');
    rmSync(file);
    now += 1500;
    assert.throws(() => d.lookup('bob@partner.test'), /ENOENT/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('header numbers: one for all, or per recipient; invalid ones ignored', () => {
  assert.equal(numberFromHeader(['+49 151 2222222'], 'x@y.test'), '+491512222222');
  assert.equal(numberFromHeader(['bob@partner.test=+491511111111, carol@partner.test=+33612345678'], 'Carol@partner.test'), '+33612345678');
  assert.equal(numberFromHeader(['bob@partner.test=+491511111111'], 'carol@partner.test'), null);
  assert.equal(numberFromHeader(['bob@partner.test=call-me'], 'bob@partner.test'), null);
});

test('templates escape for JSON and forms', () => {
  assert.equal(fillTemplate('{"t":"{{text}}","n":"{{number}}"}', { text: 'a "quoted"\nline', number: '+1' }, 'application/json'), '{"t":"a \\"quoted\\"\\nline","n":"+1"}');
  assert.equal(fillTemplate('to={{number}}&msg={{text}}', { text: 'a b&c', number: '+1' }, 'application/x-www-form-urlencoded'), 'to=%2B1&msg=a%20b%26c');
  assert.equal(fillTemplate('{{unknown}}', {}, 'text/plain'), '{{unknown}}');
});

async function server(status: number): Promise<{ url: string; requests: Array<{ headers: IncomingMessage['headers']; body: string }>; close(): Promise<void> }> {
  const requests: Array<{ headers: IncomingMessage['headers']; body: string }> = [];
  const s = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(status, { 'content-type': 'text/plain' }).end(`echo ${Buffer.concat(chunks).toString('utf8')}`);
    });
  });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  return { url: `http://127.0.0.1:${port}/sms`, requests, close: () => new Promise((r) => s.close(() => r())) };
}

test('webhook provider POSTs number and text with the configured headers; errors never carry the text', async () => {
  const ok = await server(202);
  try {
    const p = webhookSmsProvider({ url: ok.url, headers: { Authorization: 'Bearer t0ken' } });
    await p.send('+491511111111', 'Password: abc-def');
    assert.equal(ok.requests.length, 1);
    assert.equal(ok.requests[0]!.headers.authorization, 'Bearer t0ken');
    assert.equal(ok.requests[0]!.headers['content-type'], 'application/json');
    assert.deepEqual(JSON.parse(ok.requests[0]!.body), { to: '+491511111111', text: 'Password: abc-def' });
  } finally {
    await ok.close();
  }
  const failing = await server(500);
  try {
    const p = webhookSmsProvider({ url: failing.url });
    await assert.rejects(p.send('+491511111111', 'Password: secret-xyz'), (e: unknown) => e instanceof SealpostError && e.code === 'SP_ERR_SMS_SEND_FAILED' && e.transient && /HTTP 500/.test(e.message) && !/secret-xyz/.test(e.message + JSON.stringify(e.context)));
  } finally {
    await failing.close();
  }
  const unreachable = webhookSmsProvider({ url: failing.url, timeoutMs: 2000 });
  await assert.rejects(unreachable.send('+491511111111', 'x'), /could not be reached/);
});
