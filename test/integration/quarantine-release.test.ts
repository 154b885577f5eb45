/**
 * Quarantine end to end over SMTP: a DLP rule holds a message that another rule said must be
 * encrypted; the sender and the administrator get notices; an operator lists, shows and releases
 * it with the CLI; the released message comes out encrypted for the S/MIME partner (checked with
 * `openssl cms`), with the policy's edits (subject tag stripped) done. Delete removes for good.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { createStores, openDatabase } from '../../src/db/index.js';
import { smimeScenario } from '../helpers/smime-scenario.js';
import { cli, head, isSmime, latin1, quarantined, save, waitFor } from './policy-support.js';

const CONFIG = `profiles: { default: { order: [smime], queueTimeout: 1h } }
notifications: { admin: admin@example.test }
policies:
  - name: secure-subject
    if: { subject: { contains: "[secure]" } }
    then: [ encrypt, { stripSubject: "[secure]" } ]
  - name: cards
    if: { dlp: { detector: credit-card } }
    then: [ { quarantine: { notify: [sender, admin], reason: "card number in the message" } } ]
`;

test('quarantine: held with notices; list, show, release (comes out encrypted, as its policy said); delete', async (t) => {
  const s = await smimeScenario(t, CONFIG);
  await s.partner('bob@partner.test');
  const config = join(s.gw.dir, 'sealpost.yaml');
  await s.send('alice@example.test', ['bob@partner.test'], 'From: alice@example.test\r\nTo: bob@partner.test\r\nSubject: [secure] renewal\r\nMessage-ID: <q1@example.test>\r\n\r\nPlease charge 4111 1111 1111 1111.\r\n');
  await s.sink.waitFor(2, 20_000);
  const notices = s.sink.messages.filter((m) => /X-Sealpost-Notification: quarantined/.test(latin1(m)));
  assert.deepEqual(notices.flatMap((m) => m.to).sort(), ['admin@example.test', 'alice@example.test']);
  assert.ok(!s.sink.messages.some((m) => m.to.includes('bob@partner.test')), 'nothing reached the recipient');
  assert.doesNotMatch(latin1(notices[0]!), /4111/, 'the notice does not repeat the content');

  const list = await cli(['--config', config, 'quarantine', 'list', '--json']);
  assert.equal(list.code, 0, list.stderr);
  const rows = JSON.parse(list.stdout) as { id: string; recipients: string[]; reason: string; rules: string[]; releasable: boolean }[];
  assert.equal(rows.length, 1);
  const id = rows[0]!.id;
  assert.deepEqual(rows[0]!.recipients, ['bob@partner.test']);
  assert.equal(rows[0]!.reason, 'card number in the message');
  assert.deepEqual(rows[0]!.rules, ['secure-subject', 'cards']);
  assert.ok(notices.every((m) => latin1(m).includes(id)), 'the notices name the entry');

  const show = await cli(['--config', config, 'quarantine', 'show', id]);
  assert.equal(show.code, 0, show.stderr);
  assert.match(show.stdout, /release\s+resumes at outbound-protect, mandatory protection \(profile default\)/);
  assert.match(show.stdout, /Subject: \[secure\] renewal/, 'headers as received');
  assert.match(show.stdout, /rule-matched: cards \(gateway\): dlp credit-card: 1 hit\(s\) 4111 \*\*\*\* \*\*\*\* 1111/);
  assert.doesNotMatch(show.stdout, /4111 1111 1111 1111/, 'show never prints the body');

  const release = await cli(['--config', config, 'quarantine', 'release', id, '--json']);
  assert.equal(release.code, 0, release.stderr);
  assert.equal(JSON.parse(release.stdout).resumesAt, 'outbound-protect');
  const delivered = await waitFor('the released message', async () => s.sink.messages.find((m) => m.to.includes('bob@partner.test')));
  assert.ok(isSmime(delivered), 'released, and still encrypted');
  assert.match(head(delivered), /^Subject: renewal$/m, 'the policy\'s edits were kept');
  assert.match(s.decrypt(save(s.f, 'q1.p7m', delivered), 'bob@partner.test').toString(), /Please charge 4111 1111 1111 1111\./);
  assert.equal((await quarantined(s.gw.dir)).length, 0);
  const stores = createStores(await openDatabase('sqlite:./data/sealpost.db', { baseDir: s.gw.dir }));
  try {
    const item = (await stores.queue.list({ limit: 100 })).find((i) => i.recipient === 'bob@partner.test')!;
    const events = item.trace.map((e) => e.event);
    for (const e of ['rule-matched', 'quarantine', 'released', 'resumed', 'method']) assert.ok(events.includes(e), `the delivered item's trace has ${e}`);
    assert.ok(events.indexOf('released') < events.indexOf('resumed'), 'one story from receipt to delivery');
  } finally {
    await stores.close();
  }
  const again = await cli(['--config', config, 'quarantine', 'release', id]);
  assert.equal(again.code, 1, 'a second release: no such entry');
  assert.match(again.stderr, new RegExp(`no quarantine entry ${id}`));

  // held again, then deleted: never delivered
  await s.send('alice@example.test', ['bob@partner.test'], 'From: alice@example.test\r\nTo: bob@partner.test\r\nSubject: second\r\nMessage-ID: <q2@example.test>\r\n\r\n5500 0000 0000 0004\r\n');
  const [second] = await waitFor('the second entry', async () => {
    const q = await quarantined(s.gw.dir);
    return q.length === 1 ? q : null;
  });
  const del = await cli(['--config', config, 'quarantine', 'delete', second!.id, '--json']);
  assert.equal(del.code, 0, del.stderr);
  assert.deepEqual(JSON.parse(del.stdout), { id: second!.id, deleted: true });
  assert.equal((await cli(['--config', config, 'quarantine', 'delete', second!.id])).code, 1);
  assert.equal((await cli(['--config', config, 'quarantine', 'list'])).stdout.trim(), 'quarantine is empty');
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(s.sink.messages.filter((m) => m.to.includes('bob@partner.test')).length, 1, 'only the released message was delivered');
});
