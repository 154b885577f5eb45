/**
 * Two nodes, one PostgreSQL database: the portal's lifecycle run by both at the same moment
 * (as if the singleton lock were lost) still sends every reminder and every expiry notice
 * exactly once, and a link token POSTed to both nodes at once opens for one of them only.
 * Needs the local server (scripts/test.sh starts it); without it the test FAILS, never skips.
 * Run: node --import tsx --test test/contracts/portal-cluster-postgres.test.ts
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { createStores, openDatabase, type Stores } from '../../src/db/index.js';
import { newId } from '../../src/mail/ids.js';
import { MessageDraft } from '../../src/mime/draft.js';
import { createNotifier } from '../../src/notify/notifier.js';
import { PortalCrypto } from '../../src/portal/crypto.js';
import { depositMessage } from '../../src/portal/deposit.js';
import { runLifecycle, type LifecycleDeps } from '../../src/portal/lifecycle.js';
import { createTestDatabase } from '../helpers/postgres.js';

const DAY = 86_400_000;
const T0 = 1_800_000_000_000;

test('portal lifecycle on two nodes sharing PostgreSQL: each notice once, each token once', async (t) => {
  const tdb = await createTestDatabase();
  const clock = { now: T0 };
  const nodes: Stores[] = [];
  t.after(async () => {
    for (const s of nodes) await s.close();
    await tdb.drop();
  });
  for (let i = 0; i < 2; i++) nodes.push(createStores(await openDatabase(tdb.url, { postgres: { poolSize: 4, onConnectionError: () => undefined } }), { now: () => clock.now }));
  const master = randomBytes(32);
  const crypto = PortalCrypto.fromMasterKey(master);
  const secret = randomBytes(32);
  const deps = (stores: Stores, node: string): LifecycleDeps => ({
    store: stores.portal,
    queue: stores.queue,
    notifier: createNotifier({ hostname: 'gw.example.test', node, secret, from: 'securemail@example.test', internalDomains: ['example.test'], now: () => clock.now }),
    baseUrl: () => 'https://portal.example.test',
    settings: { reminders: [DAY], linkValidityMs: 30 * DAY, expiredNotice: true, retention: { messages: 30 * DAY, sent: 90 * DAY, audit: 365 * DAY } },
    giveUpAfterMs: 5 * DAY,
    now: () => clock.now,
    newId: (at) => newId(at ?? clock.now),
  });
  const N = 12;
  for (let i = 0; i < N; i++) {
    await depositMessage(
      { store: nodes[i % 2]!.portal, crypto, now: () => clock.now, newId: () => newId(clock.now) },
      {
        spoolId: newId(clock.now),
        recipient: `r${i}@partner.test`,
        sender: 'alice@example.test',
        draft: MessageDraft.parse(Buffer.from(`From: alice@example.test\r\nTo: r${i}@partner.test\r\nSubject: n${i}\r\n\r\nbody ${i}\r\n`)),
        profile: 'default',
        // half expire after two days, half never
        settings: { security: 'high', expiresAfter: i % 2 === 0 ? 2 * DAY : 0, readReceipts: false, allowReply: true, allowReplyAll: false, allowForward: false, locale: 'en' },
        overrides: {},
      },
    );
  }

  clock.now = T0 + DAY;
  const [a, b] = await Promise.all(nodes.map((s, i) => runLifecycle(deps(s, `node${i}`))));
  assert.equal(a!.reminders + b!.reminders, N, 'every unread message reminded once, by one node or the other');
  clock.now = T0 + 2 * DAY;
  const [c, d] = await Promise.all(nodes.map((s, i) => runLifecycle(deps(s, `node${i}`))));
  assert.equal(c!.expired + d!.expired, N / 2);
  assert.equal(c!.expiredNotices + d!.expiredNotices, N / 2);
  const items = await nodes[0]!.queue.list({ limit: 1000 });
  assert.equal(items.length, N + N / 2, 'no duplicate notice in the shared queue');
  assert.equal(new Set(items.filter((x) => x.recipient !== 'alice@example.test').map((x) => x.recipient)).size, N);

  // a link POSTed to both nodes at once (a double click behind a load balancer)
  const [m] = await nodes[0]!.portal.messages.list({ recipient: 'r1@partner.test' });
  const token = await nodes[0]!.portal.tokens.issue({ purpose: 'message', address: 'r1@partner.test', messageId: m!.id, expiresAt: clock.now + DAY });
  const consumed = await Promise.all([...nodes, ...nodes].map((s) => s.portal.tokens.consume(token, 'message')));
  assert.equal(consumed.filter((r) => r !== null).length, 1);
  // and the body opens on either node with the shared master key
  const body = await nodes[1]!.portal.messages.readableBody(m!.id, 'r1@partner.test');
  assert.ok(body.ok);
  assert.match(crypto.open('message', m!.id, body.body).toString(), /body 1/);
});
