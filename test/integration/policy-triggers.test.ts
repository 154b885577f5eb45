/**
 * Policy triggers end to end over SMTP: real clients → gateway (in-process, SQLite) → real sink;
 * encryption checked by decrypting with `openssl cms` as the partner.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { smimeScenario } from '../helpers/smime-scenario.js';
import { head, isSmime, latin1, save } from './policy-support.js';

const ONLY_SMIME = 'profiles: { default: { order: [smime], queueTimeout: 1h } }\n';

test('subject trigger: encrypted for the partner, the tag stripped; header trigger: encrypted, the header never forwarded', async (t) => {
  const s = await smimeScenario(t, ONLY_SMIME);
  await s.partner('bob@partner.test');
  await s.send('alice@example.test', ['bob@partner.test'], 'From: alice@example.test\r\nTo: bob@partner.test\r\nSubject: [SECURE] Payroll March\r\nMessage-ID: <t1@example.test>\r\n\r\nsalaries inside\r\n');
  await s.send('alice@example.test', ['bob@partner.test'], 'From: alice@example.test\r\nTo: bob@partner.test\r\nSubject: contract\r\nX-Sealpost-Encrypt: yes\r\nMessage-ID: <t2@example.test>\r\n\r\nthe contract\r\n');
  await s.send('alice@example.test', ['bob@partner.test'], 'From: alice@example.test\r\nTo: bob@partner.test\r\nSubject: lunch?\r\nMessage-ID: <t3@example.test>\r\n\r\nplain talk\r\n');
  await s.sink.waitFor(3, 20_000);
  const byId = (id: string) => s.sink.messages.find((m) => latin1(m).includes(`<${id}@example.test>`))!;
  const tagged = byId('t1');
  assert.ok(isSmime(tagged), 'encrypted');
  assert.match(head(tagged), /^Subject: Payroll March$/m, 'tag stripped');
  assert.match(s.decrypt(save(s.f, 't1.p7m', tagged), 'bob@partner.test').toString(), /salaries inside/);
  const header = byId('t2');
  assert.ok(isSmime(header));
  assert.doesNotMatch(latin1(header), /X-Sealpost-Encrypt/i, 'trigger header removed');
  assert.doesNotMatch(s.decrypt(save(s.f, 't2.p7m', header), 'bob@partner.test').toString(), /X-Sealpost-Encrypt/i);
  const plain = byId('t3');
  assert.ok(!isSmime(plain), 'no trigger: sent as is');
  assert.match(latin1(plain), /plain talk/);
});

test('a scored list with a negative score for the processed marker: a message we processed is not encrypted again; a forged marker does not count', async (t) => {
  const s = await smimeScenario(t, `${ONLY_SMIME}policies:
  - name: partner-scoring
    if: { toDomain: { equals: partner.test } }
    score:
      threshold: 2
      scan: [headers, subject, body]
      phrases:
        - { score: 2, text: "confidential" }
        - { score: -5, text: "x-sealpost-processed" }
    then: [ encrypt ]
`);
  await s.partner('bob@partner.test');
  const original = 'From: alice@example.test\r\nTo: carol@other.test\r\nSubject: Q3 numbers\r\nMessage-ID: <loop1@example.test>\r\n\r\nconfidential figures\r\n';
  // 1st pass: to a recipient no rule covers, so it leaves in plaintext carrying our marker
  await s.send('alice@example.test', ['carol@other.test'], original);
  await s.sink.waitFor(1, 15_000);
  const first = s.sink.messages[0]!;
  assert.match(head(first), /^X-Sealpost-Processed: gw\.example\.test; outbound; /m);
  // 2nd pass: the processed copy comes back (e.g. a cloud relay-back) addressed to the partner
  await s.send('alice@example.test', ['bob@partner.test'], first.body);
  // control: the same message without our marker, and with a forged one
  await s.send('alice@example.test', ['bob@partner.test'], original.replace('loop1', 'loop2'));
  await s.send('alice@example.test', ['bob@partner.test'], `X-Sealpost-Processed: gw.example.test; outbound; ${Date.now()}; AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\r\n${original.replace('loop1', 'loop3')}`);
  await s.sink.waitFor(4, 20_000);
  const byId = (id: string) => s.sink.messages.find((m, i) => i > 0 && latin1(m).includes(`<${id}@example.test>`))!;
  assert.ok(!isSmime(byId('loop1')), 'score 2 - 5 < 2: not encrypted again');
  assert.match(latin1(byId('loop1')), /confidential figures/);
  assert.ok(isSmime(byId('loop2')), 'without the marker the list reaches its threshold');
  assert.ok(isSmime(byId('loop3')), 'a forged marker is stripped by classify and subtracts nothing');
});

test('suffix routing: bob@partner.test.secure is encrypted and delivered to bob@partner.test', async (t) => {
  const s = await smimeScenario(t, `${ONLY_SMIME}policy: { suffixes: [ { suffix: .secure } ] }\n`);
  await s.partner('bob@partner.test');
  await s.send('alice@example.test', ['bob@partner.test.secure', 'carol@other.test'], 'From: alice@example.test\r\nTo: bob@partner.test.secure, carol@other.test\r\nSubject: offer\r\nMessage-ID: <sfx@example.test>\r\n\r\nour offer\r\n');
  await s.sink.waitFor(2, 20_000);
  const bob = s.sink.messages.find((m) => m.to.includes('bob@partner.test'));
  assert.ok(bob, 'delivered to the address without the suffix');
  assert.ok(!s.sink.messages.some((m) => m.to.some((a) => a.endsWith('.secure'))), 'nothing goes to the suffixed address');
  assert.ok(isSmime(bob));
  assert.match(head(bob), /^To: bob@partner\.test, carol@other\.test$/m, 'the header shows the real address');
  assert.match(s.decrypt(save(s.f, 'sfx.p7m', bob), 'bob@partner.test').toString(), /our offer/);
  const carol = s.sink.messages.find((m) => m.to.includes('carol@other.test'))!;
  assert.ok(!isSmime(carol), 'the other recipient is not affected');
});

test('block: the sender gets a bounce with the reply text, the recipient nothing', async (t) => {
  const s = await smimeScenario(t, `${ONLY_SMIME}policies:
  - name: no-exe
    if: { attachment: { name: { endsWith: .exe } } }
    then: [ { block: { reply: "Executable attachments are not allowed (policy no-exe)" } } ]
`);
  const b = 'XyZ';
  await s.send('alice@example.test', ['bob@partner.test'], `From: alice@example.test\r\nTo: bob@partner.test\r\nSubject: tool\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="${b}"\r\n\r\n--${b}\r\nContent-Type: text/plain\r\n\r\nhere\r\n--${b}\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename="setup.exe"\r\nContent-Transfer-Encoding: base64\r\n\r\nTVqQAAMAAAAEAAAA\r\n--${b}--\r\n`);
  await s.sink.waitFor(1, 15_000);
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(s.sink.messages.length, 1);
  const bounce = s.sink.messages[0]!;
  assert.deepEqual(bounce.to, ['alice@example.test']);
  assert.equal(bounce.from, '', 'from the null sender: never bounced to');
  assert.match(latin1(bounce), /X-Sealpost-Notification: (blocked|dsn)/);
  assert.match(latin1(bounce).replace(/=\r\n/g, '').replace(/\r\n[ \t]+/g, ' '), /Executable attachments are not allowed \(policy no-exe\)/);
  assert.doesNotMatch(latin1(bounce), /TVqQAAMAAAAEAAAA/, 'the bounce does not carry the content');
});
