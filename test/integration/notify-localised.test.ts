/**
 * Notifications end to end: a mandatory-encryption message no method can serve is held until the
 * profile's queueTimeout, then the sender gets a localised encryption-failed notice (text + HTML,
 * branded, system sender, markers) at a real SMTP sink; a remote rejection produces a DSN whose
 * human-readable part is in the sender's language. And `sealpost check` names a broken template.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import libmime from 'libmime';
import nodemailer from 'nodemailer';
import { noticeParts, parseMessage, multipart, decodePart } from '../../src/notify/mime-check.test-util.js';
import { startGateway } from '../helpers/gateway.js';
import { startSink, type SinkMessage } from '../helpers/sink.js';

function send(port: number, from: string, to: string[], raw: string) {
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });
  return transport.sendMail({ envelope: { from, to }, raw }).finally(() => transport.close());
}

const NOTIFICATIONS = `notifications:
  from: securemail-noreply@example.test
  locale: fr
  branding: acme
  brandings:
    acme: { organisation: ACME Bank, colour: "#aa0000", footer: "ACME Bank - IT security", fromName: ACME Secure Mail }
`;

test('a held [secure] message times out: the sender gets a localised, branded encryption-failed notice; nobody gets the content', async (t) => {
  const sink = await startSink({ onRcpt: (a) => (a === 'nobody@remote.test' ? '550 5.1.1 no such user' : null) });
  const gw = await startGateway(`relay: { outbound: "smtp://127.0.0.1:${sink.port}", inbound: "smtp://127.0.0.1:${sink.port}" }\nprofiles: { default: { queueTimeout: 2s, order: [smime, pgp] } }\n${NOTIFICATIONS}`);
  t.after(async () => {
    await gw.close();
    await sink.close();
  });

  // The sender's client declares Japanese; the other sender declares nothing (→ notifications.locale: fr).
  await send(gw.port, 'alice@example.test', ['bob@remote.test'], 'From: alice@example.test\r\nTo: bob@remote.test\r\nContent-Language: ja\r\nSubject: [secure] <給与> payroll\r\n\r\nconfidential numbers\r\n');
  await send(gw.port, 'carol@example.test', ['bob@remote.test'], 'From: carol@example.test\r\nTo: bob@remote.test\r\nSubject: [secure] bilan\r\n\r\nconfidential too\r\n');
  // A plain message the next hop refuses: the DSN text follows the sender's Accept-Language.
  await send(gw.port, 'dave@example.test', ['nobody@remote.test'], 'From: dave@example.test\r\nAccept-Language: es-ES, en;q=0.5\r\nSubject: hola\r\n\r\nx\r\n');

  await sink.waitFor(3, 20_000);
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(sink.messages.length, 3, 'two notices and one DSN, nothing else');
  assert.ok(!sink.messages.some((m) => m.to.includes('bob@remote.test')), 'the recipient never got the held messages');
  assert.ok(!sink.messages.some((m) => /confidential/.test(m.body.toString('latin1'))), 'no notice carries the content');

  const to = (addr: string): SinkMessage => sink.messages.find((m) => m.to.includes(addr))!;

  for (const [who, locale, wording, subjectWords] of [
    ['alice@example.test', 'ja', /安全に配信できませんでした/, /配信不能/],
    ['carol@example.test', 'fr', /n'a pas pu être remis de façon sécurisée/, /Non distribué/],
  ] as const) {
    const m = to(who);
    assert.ok(m, `${who} got a notice`);
    assert.equal(m.from, '', 'notices go out with the null sender: nobody bounces to them');
    const raw = m.body.toString('latin1');
    assert.ok(!raw.split('\r\n').some((l) => l.length > 998) && !m.body.some((b) => b >= 0x80), 'wire-clean: 7-bit, short lines');
    const { headers, text, html, original } = noticeParts(raw);
    assert.deepEqual(headers.get('x-sealpost-notification'), ['encryption-failed']);
    assert.deepEqual(headers.get('auto-submitted'), ['auto-generated']);
    assert.ok(headers.get('x-sealpost-processed')?.[0], 'loop marker');
    assert.deepEqual(headers.get('content-language'), [locale]);
    assert.deepEqual(headers.get('from'), ['"ACME Secure Mail" <securemail-noreply@example.test>']);
    assert.match(libmime.decodeWords(headers.get('subject')![0]!), subjectWords);
    const flat = text.replace(/\s+/g, ' ');
    assert.match(flat, wording);
    assert.match(flat, /bob@remote\.test/);
    assert.match(flat, /ACME Bank - IT security/);
    assert.match(html, /<html lang="[a-z]+">/);
    assert.match(html, /border-top:4px solid #aa0000/);
    assert.match(original ?? '', /^Subject: /m, 'the original header block is attached');
    if (locale === 'ja') {
      assert.match(flat, /「\[secure\] <給与> payroll」|「<給与> payroll」/);
      assert.match(html, /&#60;給与&#62;/, 'the sender-controlled subject is escaped in HTML');
    }
  }

  const dsn = to('dave@example.test');
  assert.ok(dsn, 'the refused message produced a DSN');
  assert.equal(dsn.from, '');
  const d = dsn.body.toString('latin1');
  const { headers } = parseMessage(d);
  assert.deepEqual(headers.get('x-sealpost-notification'), ['dsn']);
  assert.equal(libmime.decodeWords(headers.get('subject')![0]!), 'Mensaje no entregado');
  const human = decodePart(multipart(d).parts[0]!);
  assert.match(human.replace(/\s+/g, ' '), /no se pudo entregar a uno o más destinatarios/);
  assert.match(human, /<nobody@remote\.test>: .*550 5\.1\.1 no such user/);
});

test('`sealpost check` refuses a broken template override and names the file and line', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sp-notify-check-'));
  try {
    mkdirSync(join(dir, 'templates', 'de'), { recursive: true });
    writeFileSync(join(dir, 'templates', 'de', 'expired.txt'), 'Hallo\n{{#each recipients}}{{.}}\n');
    const yaml = `hostname: gw.example.test\ninternalDomains: [example.test]\nsmtp: { listeners: [ { name: main, listen: "127.0.0.1:2525" } ] }\nrelay: { outbound: "smtp://127.0.0.1:1", inbound: "smtp://127.0.0.1:2" }\nnotifications: { templatesDir: templates }\n`;
    writeFileSync(join(dir, 'sealpost.yaml'), yaml);
    // The real CLI entry (src/main.ts run), in-process: output captured from the process streams.
    const check = async (): Promise<{ status: number; stdout: string; stderr: string }> => {
      const { run } = await import('../../src/main.js');
      const out = { stdout: '', stderr: '' };
      const [w1, w2] = [process.stdout.write, process.stderr.write];
      process.stdout.write = ((c: string | Uint8Array) => ((out.stdout += String(c)), true)) as typeof process.stdout.write;
      process.stderr.write = ((c: string | Uint8Array) => ((out.stderr += String(c)), true)) as typeof process.stderr.write;
      try {
        return { status: await run(['node', 'sealpost', 'check', '--config', join(dir, 'sealpost.yaml')]), ...out };
      } finally {
        process.stdout.write = w1;
        process.stderr.write = w2;
      }
    };
    const bad = await check();
    assert.equal(bad.status, 1, bad.stderr);
    assert.match(bad.stderr, new RegExp(`error: configuration is invalid: ${join(dir, 'templates', 'de', 'expired.txt').replace(/[/.]/g, '\\$&')}:2:1: \\{\\{#each recipients\\}\\} is never closed`));
    writeFileSync(join(dir, 'templates', 'de', 'expired.txt'), 'Hallo\n{{#each recipients}}{{.}}\n{{/each}}');
    const good = await check();
    assert.equal(good.status, 0, good.stderr);
    assert.match(good.stdout, /OK/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('`sealpost start` refuses a broken template override before opening anything', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sp-notify-start-'));
  try {
    mkdirSync(join(dir, 'fr'), { recursive: true });
    writeFileSync(join(dir, 'fr', 'pdf-password.txt'), 'Mot de passe : {{password}}\n');
    await assert.rejects(
      startGateway(`relay: { outbound: "smtp://127.0.0.1:1", inbound: "smtp://127.0.0.1:2" }\nnotifications: { templatesDir: "${dir}" }\n`),
      (err: Error) => err.message.includes(join(dir, 'fr', 'pdf-password.txt')) && /Password: \{\{password\}\}/.test(err.message),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
