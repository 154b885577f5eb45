/**
 * The portal's pages in headless Chromium over a seeded store: link landing (a GET burns
 * nothing), first-visit registration, reading, downloading, replying; expired, recalled and
 * other recipients' messages stay closed (IDOR); hostile HTML is neutralised.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { closeBrowser, newPage } from '../helpers/browser.js';
import { SIMPLE, startHarness, type Harness } from './portal-harness.js';

let h: Harness;
before(async () => {
  h = await startHarness();
});
after(async () => {
  await closeBrowser();
  await h.close();
});

const PASSWORD = 'lilac tractor moonbeam 42';

async function register(page: Page, link: string) {
  await page.goto(link);
  await page.getByRole('button', { name: 'Open my secure message' }).click();
  await page.getByLabel('New password').fill(PASSWORD);
  await page.getByLabel('Repeat the password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
}

test('a link scanner GET burns nothing; the recipient registers, reads, downloads and replies', async () => {
  const { message, link } = await h.deposit(SIMPLE, { recipient: 'bob@partner.test' });
  // a link scanner fetches the link first
  const scan = await fetch(link).catch(() => null); // self-signed: Node's fetch refuses, the browser below is the scanner
  void scan;
  const { page, context } = await newPage();
  try {
    const landing = await page.goto(link);
    assert.equal(landing?.status(), 200);
    const again = await page.goto(link);
    assert.equal(again?.status(), 200, 'GETs never consume the token');
    const csp = landing?.headers()['content-security-policy'] ?? '';
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /frame-ancestors 'none'/);
    await register(page, link);
    await page.waitForURL(`**/messages/${message.id}`);
    assert.equal(await page.locator('h1').textContent(), 'Quarterly figures');
    assert.match(await page.locator('pre.mail').textContent() ?? '', /the figures are attached\. Grüße/);
    assert.equal(await page.locator('html').getAttribute('lang'), 'en');
    const cookies = await context.cookies();
    const session = cookies.find((c) => c.name === 'sp_session')!;
    assert.ok(session.secure && session.httpOnly && session.sameSite === 'Strict', 'session cookie is Secure, HttpOnly, SameSite=Strict');

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: /figures\.pdf/ }).click()]);
    assert.equal(download.suggestedFilename(), 'figures.pdf');
    assert.equal((await readFile((await download.path())!)).toString(), '%PDF-1.4 figures for Bob');

    // the link was used: a second POST does not log anyone in
    const { page: other, context: otherContext } = await newPage();
    await other.goto(link);
    assert.match((await other.locator('.alert.error:visible').textContent()) ?? '', /cannot be used any more/);
    await otherContext.close();

    await page.getByRole('link', { name: 'Reply', exact: true }).click();
    assert.match(await page.locator('form').last().textContent() ?? '', /alice@example\.test/);
    await page.getByLabel('Message').fill('Thanks Alice, received.');
    await page.getByLabel('Attachments (optional)').setInputFiles({ name: 'answer.txt', mimeType: 'text/plain', buffer: Buffer.from('my answer') });
    await page.getByRole('button', { name: 'Send securely' }).click();
    await page.waitForURL('**/sent?done=1');
    assert.match(await page.locator('.alert.ok').textContent() ?? '', /sent securely/);
    const r = h.replies.at(-1)!;
    assert.equal(r.kind, 'reply');
    assert.deepEqual(r.to, ['alice@example.test']);
    assert.equal(r.subject, 'Re: Quarterly figures');
    assert.match(r.text, /^Thanks Alice, received\./);
    assert.equal(r.attachments[0]?.filename, 'answer.txt');
    assert.equal(r.attachments[0]?.content.toString(), 'my answer');
    assert.match(await page.locator('table.list').textContent() ?? '', /Re: Quarterly figures/);

    const audit = await h.stores.portal.audit.list({ address: 'bob@partner.test' });
    const events = audit.map((e) => e.event);
    for (const e of ['password-set', 'login', 'read', 'download', 'reply']) assert.ok(events.includes(e as never), `audit has ${e}`);
    assert.ok(!JSON.stringify(audit).includes(PASSWORD), 'no password in the audit log');
    const logs = h.logs.join('');
    assert.match(logs, /portal\.login/, 'the portal does log');
    for (const secret of [PASSWORD, link.split('/m/')[1]!, 'Thanks Alice', 'the figures are attached', 'Quarterly figures']) assert.ok(!logs.includes(secret), `the log holds no ${secret.slice(0, 12)}…`);
  } finally {
    await context.close();
  }
});

test('expired and recalled messages cannot be read; another recipient cannot open them (IDOR)', async () => {
  const carolPw = 'carol orchard lantern 77';
  const mine = await h.deposit(SIMPLE, { recipient: 'carol@partner.test' });
  const recalled = await h.deposit(SIMPLE, { recipient: 'carol@partner.test', subject: 'to be recalled' });
  const expiring = await h.deposit(SIMPLE, { recipient: 'carol@partner.test', subject: 'short-lived', expiresAt: Date.now() + 1500 });
  const bobs = await h.deposit(SIMPLE, { recipient: 'dave@partner.test', subject: 'for dave only' });
  const { page, context } = await newPage();
  try {
    await page.goto(mine.link);
    await page.getByRole('button', { name: 'Open my secure message' }).click();
    await page.getByLabel('New password').fill(carolPw);
    await page.getByLabel('Repeat the password').fill(carolPw);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL(`**/messages/${mine.message.id}`);

    const dave = await page.goto(`${h.portal.url}/messages/${bobs.message.id}`);
    assert.equal(dave?.status(), 404, "another recipient's message answers like an unknown one");
    assert.doesNotMatch(await page.content(), /for dave only/);
    const daveAttachment = await page.goto(`${h.portal.url}/messages/${bobs.message.id}/parts/2`);
    assert.equal(daveAttachment?.status(), 404);

    assert.equal((await page.goto(`${h.portal.url}/messages/${recalled.message.id}`))?.status(), 200);
    await h.stores.portal.messages.recall(recalled.message.id);
    const afterRecall = await page.goto(`${h.portal.url}/messages/${recalled.message.id}`);
    assert.equal(afterRecall?.status(), 410);
    assert.match(await page.locator('.alert.error:visible').textContent() ?? '', /expired or was withdrawn/);

    await new Promise((r) => setTimeout(r, 1600));
    const expired = await page.goto(`${h.portal.url}/messages/${expiring.message.id}`);
    assert.equal(expired?.status(), 410);

    // the recipient deletes a message: gone from the inbox, the link answers 404
    const doomed = await h.deposit(SIMPLE, { recipient: 'carol@partner.test', subject: 'to be deleted' });
    await page.goto(`${h.portal.url}/messages/${doomed.message.id}`);
    await page.getByRole('button', { name: 'Delete' }).click();
    await page.waitForURL('**/inbox?done=deleted');
    assert.doesNotMatch(await page.locator('main').textContent() ?? '', /to be deleted/);
    assert.equal((await page.goto(`${h.portal.url}/messages/${doomed.message.id}`))?.status(), 404);
    await page.goto(`${h.portal.url}/inbox`);
    const inbox = await page.locator('main').textContent();
    assert.match(inbox ?? '', /Quarterly figures/);
    assert.doesNotMatch(inbox ?? '', /to be recalled|short-lived|for dave only/);
  } finally {
    await context.close();
  }
});

test('hostile HTML: no script runs, no remote image or CSS fetch, no form, framed in a sandbox', async () => {
  let remoteHits = 0;
  const hostile = [
    'From: Mallory <alice@example.test>',
    'To: erin@partner.test',
    'Subject: hostile',
    'MIME-Version: 1.0',
    'Content-Type: text/html; charset=utf-8',
    '',
    '<html><head><style>body{background:url(https://evil.test/css-bg)}</style><script>parent.document.title="pwned"</script>',
    '<link rel="stylesheet" href="https://evil.test/x.css"><meta http-equiv="refresh" content="0;url=https://evil.test/r"><base href="https://evil.test/"></head>',
    '<body onload="parent.document.title=\'pwned\'"><p id="x" style="color:red;background-image:url(https://evil.test/exfil?a)">Visible text</p>',
    '<img src="https://evil.test/pixel.gif" alt="tracker"><img src="x" onerror="parent.document.title=\'pwned\'">',
    '<a href="javascript:alert(1)">js link</a><a href="https://example.org/">ok link</a>',
    '<form action="https://evil.test/phish"><input name="password"></form><iframe src="https://evil.test/frame"></iframe>',
    '<svg><script>alert(1)</script></svg><object data="https://evil.test/o"></object>',
    '</body></html>',
  ].join('\r\n');
  const m = await h.deposit(hostile, { recipient: 'erin@partner.test', security: 'none', branding: 'Example Corp' });
  const { page, context } = await newPage();
  await context.route(/evil\.test/, (route) => {
    remoteHits++;
    return route.abort();
  });
  try {
    await page.goto(m.link);
    await page.getByRole('button', { name: 'Open my secure message' }).click();
    await page.waitForURL(`**/messages/${m.message.id}`);
    const frameEl = page.locator('iframe.mail');
    assert.equal(await frameEl.getAttribute('sandbox'), 'allow-popups allow-popups-to-escape-sandbox', 'no allow-scripts, no allow-same-origin');
    const srcdoc = (await frameEl.getAttribute('srcdoc')) ?? '';
    for (const bad of [/<script/i, /onload=/i, /onerror=/i, /evil\.test/, /javascript:/i, /<form/i, /<iframe/i, /<object/i, /<svg/i, /url\(/i, /<link/i, /http-equiv="refresh"/i, /<base/i]) assert.doesNotMatch(srcdoc, bad);
    assert.match(srcdoc, /Visible text/);
    assert.match(srcdoc, /color:red/);
    assert.match(srcdoc, /https:\/\/example\.org\//);
    const frame = page.frameLocator('iframe.mail');
    assert.equal(await frame.locator('p').first().textContent(), 'Visible text', 'the mail renders inside the frame');
    await page.waitForTimeout(300);
    assert.notEqual(await page.title(), 'pwned');
    assert.equal(remoteHits, 0, 'nothing was fetched from the hostile host');
    assert.ok(await page.locator('#remote-blocked').isVisible(), 'the reader is told remote images were blocked');
    assert.equal(await page.locator('header .brand').textContent(), 'Example Corp', "the profile's branding");
  } finally {
    await context.close();
  }
});

test('rights are enforced server-side: reply flags, internal-only recipients, CSRF, download headers', async () => {
  const pw = 'copper willow sonnet 12';
  const open = await h.deposit(SIMPLE, { recipient: 'finn@partner.test' });
  const closed = await h.deposit(SIMPLE, { recipient: 'finn@partner.test', subject: 'no replies', allowReply: false, allowReplyAll: false, allowForward: false });
  const { page, context } = await newPage();
  try {
    await page.goto(open.link);
    await page.getByRole('button', { name: 'Open my secure message' }).click();
    await page.getByLabel('New password').fill(pw);
    await page.getByLabel('Repeat the password').fill(pw);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL(`**/messages/${open.message.id}`);

    const download = await page.request.get(`${h.portal.url}/messages/${open.message.id}/parts/2`);
    assert.equal(download.status(), 200);
    assert.equal(download.headers()['content-type'], 'application/octet-stream');
    assert.match(download.headers()['content-disposition'] ?? '', /^attachment; filename="figures\.pdf"/);
    assert.equal(download.headers()['x-content-type-options'], 'nosniff');
    assert.match(download.headers()['content-security-policy'] ?? '', /sandbox/);

    // the closed message offers no reply, and a crafted POST is refused too
    await page.goto(`${h.portal.url}/messages/${closed.message.id}`);
    assert.equal(await page.getByRole('link', { name: 'Reply', exact: true }).count(), 0);
    const csrf = (await page.locator('meta[name="csrf-token"]').getAttribute('content'))!;
    const before = h.replies.length;
    const crafted = await page.request.post(`${h.portal.url}/messages/${closed.message.id}/reply?kind=reply`, { form: { _csrf: csrf, subject: 'x', body: 'sneaky' } });
    assert.equal(crafted.status(), 403);
    // without the CSRF token nothing is sent either
    const forged = await page.request.post(`${h.portal.url}/messages/${open.message.id}/reply?kind=reply`, { form: { subject: 'x', body: 'forged' } });
    assert.equal(forged.status(), 403);
    assert.equal(h.replies.length, before, 'nothing was injected');

    // forward: only internal addresses
    await page.goto(`${h.portal.url}/messages/${open.message.id}/reply?kind=forward`);
    await page.getByLabel('To', { exact: true }).fill('someone@elsewhere.test');
    await page.getByRole('button', { name: 'Send securely' }).click();
    assert.match(await page.locator('.alert.error:visible').textContent() ?? '', /only be sent to addresses of the organisation/);
    await page.getByLabel('To', { exact: true }).fill('legal@example.test');
    await page.getByRole('button', { name: 'Send securely' }).click();
    await page.waitForURL('**/sent?done=1');
    assert.deepEqual([h.replies.at(-1)!.kind, h.replies.at(-1)!.to], ['forward', ['legal@example.test']]);

    // compose to an internal user
    await page.getByRole('link', { name: 'New message' }).click();
    await page.getByLabel('To', { exact: true }).fill('support@example.test');
    await page.getByLabel('Subject').fill('A question');
    await page.getByLabel('Message').fill('Hello support');
    await page.getByRole('button', { name: 'Send securely' }).click();
    await page.waitForURL('**/sent?done=1');
    assert.deepEqual([h.replies.at(-1)!.kind, h.replies.at(-1)!.inReplyTo, h.replies.at(-1)!.subject], ['compose', null, 'A question']);
  } finally {
    await context.close();
  }
});

test("the sender's recall link: a GET shows and burns nothing, the POST withdraws, the recipient can no longer read", async () => {
  const m = await h.deposit(SIMPLE, { recipient: 'gus@partner.test', subject: 'sent by mistake', security: 'none' });
  const token = await h.stores.portal.tokens.issue({ purpose: 'recall', address: 'alice@example.test', messageId: m.message.id, expiresAt: Date.now() + 86_400_000 });
  const { page, context } = await newPage();
  try {
    // the recipient opens it first (link-only profile)
    await page.goto(m.link);
    await page.getByRole('button', { name: 'Open my secure message' }).click();
    await page.waitForURL(`**/messages/${m.message.id}`);
    const sender = await context.newPage();
    assert.equal((await sender.goto(`${h.portal.url}/recall/${token}`))?.status(), 200);
    assert.equal((await sender.goto(`${h.portal.url}/recall/${token}`))?.status(), 200, 'a GET consumes nothing');
    assert.match(await sender.locator('main').textContent() ?? '', /“sent by mistake” sent to gus@partner\.test/);
    assert.equal((await h.stores.portal.messages.get(m.message.id))?.state, 'read', 'still readable after the GETs');
    await sender.getByRole('button', { name: 'Withdraw the message' }).click();
    assert.match(await sender.locator('.alert.ok').textContent() ?? '', /withdrawn/);
    assert.equal((await page.reload())?.status(), 410, 'the recipient can no longer read it');
    assert.equal((await sender.goto(`${h.portal.url}/recall/${token}`))?.status(), 410, 'the recall link works once');
    const audit = await h.stores.portal.audit.list({ messageId: m.message.id });
    assert.ok(audit.some((e) => e.event === 'recall' && e.detail.via === 'link'));
  } finally {
    await context.close();
  }
});

test('accessibility basics on every page: lang, landmarks, one h1, a label for every field, a skip link', async () => {
  const m = await h.deposit(SIMPLE, { recipient: 'ada@partner.test' });
  const { page, context } = await newPage();
  const audit = async (where: string) => {
    // a string, not a function: the project compiles without the DOM library
    const r = (await page.evaluate(`({
      lang: document.documentElement.lang,
      landmarks: ['header', 'main', 'footer', 'nav'].filter((s) => !document.querySelector(s)),
      h1: document.querySelectorAll('h1').length,
      unlabelled: [...document.querySelectorAll('input:not([type=hidden]), textarea, select')].filter((el) => el.labels.length === 0 && !el.getAttribute('aria-label')).map((el) => el.outerHTML),
      skip: !!document.querySelector('a.skip[href="#main"]'),
      duplicateIds: [...document.querySelectorAll('[id]')].map((e) => e.id).filter((id, i, all) => all.indexOf(id) !== i),
    })`)) as { lang: string; landmarks: string[]; h1: number; unlabelled: string[]; skip: boolean; duplicateIds: string[] };
    assert.ok(r.lang.length >= 2, `${where}: lang`);
    assert.deepEqual(r.landmarks, [], `${where}: landmarks`);
    assert.equal(r.h1, 1, `${where}: one h1`);
    assert.deepEqual(r.unlabelled, [], `${where}: labels`);
    assert.ok(r.skip, `${where}: skip link`);
    assert.deepEqual(r.duplicateIds, [], `${where}: unique ids`);
  };
  try {
    await page.goto(m.link);
    await audit('landing');
    await page.getByRole('button', { name: 'Open my secure message' }).click();
    await audit('register');
    await page.getByLabel('New password').fill('marble falcon ribbon 90');
    await page.getByLabel('Repeat the password').fill('marble falcon ribbon 90');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL(`**/messages/${m.message.id}`);
    await audit('message');
    for (const path of ['/inbox', `/messages/${m.message.id}/reply?kind=reply`, '/compose', '/sent', '/security']) {
      await page.goto(`${h.portal.url}${path}`);
      await audit(path);
    }
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await page.waitForURL('**/login');
    await audit('login');
    await page.goto(`${h.portal.url}/reset`);
    await audit('reset');
  } finally {
    await context.close();
  }
});

test("branding per profile: the notices' organisation, accent colour and footer on the landing and message pages", async () => {
  const m = await h.deposit(SIMPLE, { recipient: 'bea@partner.test', security: 'none', branding: 'example-corp' });
  const { page, context } = await newPage();
  try {
    for (const step of ['landing', 'message'] as const) {
      if (step === 'landing') await page.goto(m.link);
      else {
        await page.getByRole('button', { name: 'Open my secure message' }).click();
        await page.waitForURL(`**/messages/${m.message.id}`);
      }
      assert.equal(await page.locator('header .brand').textContent(), 'Example Corp', step);
      assert.equal(await page.evaluate("getComputedStyle(document.querySelector('header.top')).backgroundColor"), 'rgb(122, 31, 92)', step);
      assert.match(await page.locator('footer').textContent() ?? '', /1 Example Street/, step);
    }
    assert.equal((await page.request.get(`${h.portal.url}/static/brand/nope.css`)).status(), 404);
  } finally {
    await context.close();
  }
});
