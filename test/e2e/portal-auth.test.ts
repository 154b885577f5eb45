/**
 * Portal accounts in headless Chromium: TOTP enrolment and login, passkeys with Chromium's
 * virtual authenticator (DevTools WebAuthn domain), lockout with uniform answers, password
 * reset by e-mail link, security levels (link only, remembered device), and three locales.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { TOTP, Secret } from 'otpauth';
import { addVirtualAuthenticator, closeBrowser, newPage } from '../helpers/browser.js';
import { SIMPLE, startHarness, type Harness } from './portal-harness.js';

let h: Harness;
before(async () => {
  h = await startHarness({ lockout: { maxFailures: 3, lockMs: 60_000 } });
});
after(async () => {
  await closeBrowser();
  await h.close();
});

async function registerVia(page: Page, recipient: string, password: string, over: Parameters<Harness['deposit']>[1] = {}) {
  const m = await h.deposit(SIMPLE, { recipient, ...over });
  await page.goto(m.link);
  await page.getByRole('button', { name: 'Open my secure message' }).click();
  await page.getByLabel('New password').fill(password);
  await page.getByLabel('Repeat the password').fill(password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.waitForURL(`**/messages/${m.message.id}`);
  return m;
}

/** Submits the login form; returns the status of the POST's answer. */
async function login(page: Page, address: string, password: string): Promise<number> {
  await page.goto(`${h.portal.url}/login`);
  await page.getByLabel('E-mail address').fill(address);
  await page.getByLabel('Password').fill(password);
  const [response] = await Promise.all([page.waitForResponse((r) => r.url().endsWith('/login') && r.request().method() === 'POST'), page.getByRole('button', { name: 'Sign in', exact: true }).click()]);
  return response.status();
}

async function logout(page: Page) {
  await page.getByRole('button', { name: 'Sign out', exact: true }).click();
  await page.waitForURL('**/login');
}

test('TOTP: enrolment needs a valid code; then a login needs password and code, and a code works once', async () => {
  const { page, context } = await newPage();
  const pw = 'quiet harbour pebble 19';
  try {
    await registerVia(page, 'tom@partner.test', pw);
    await page.goto(`${h.portal.url}/security`);
    await page.getByRole('button', { name: 'Set up an authenticator app' }).click();
    const secretText = (await page.locator('#totp-secret').textContent())!.trim();
    const uri = await page.getByRole('link', { name: 'Open in an authenticator app' }).getAttribute('href');
    assert.match(uri ?? '', /^otpauth:\/\/totp\/Sealpost:tom%40partner\.test\?.*secret=/);
    const totp = new TOTP({ secret: Secret.fromBase32(secretText), digits: 6, period: 30, algorithm: 'SHA1' });
    const qr = page.locator('#totp-qr');
    assert.match((await qr.getAttribute('src')) ?? '', /^data:image\/svg\+xml;base64,/);
    const loaded = await qr.evaluate((el) => {
      const img = el as unknown as { complete: boolean; naturalWidth: number };
      return img.complete && img.naturalWidth > 0;
    });
    assert.ok(loaded, 'the QR code renders under the CSP');
    assert.equal(await qr.getAttribute('alt'), 'QR code for your authenticator app');
    await page.getByLabel('Code from your authenticator app').fill('000000');
    await page.getByRole('button', { name: 'Turn on' }).click();
    assert.match(await page.locator('.alert.error:visible').textContent() ?? '', /not correct/);
    await page.getByLabel('Code from your authenticator app').fill(totp.generate({ timestamp: Date.now() - 30_000 }));
    await page.getByRole('button', { name: 'Turn on' }).click();
    await page.waitForURL('**/security?done=totp');
    assert.match(await page.locator('main').textContent() ?? '', /Two-step verification is on/);
    const account = await h.stores.portal.accounts.get('tom@partner.test');
    assert.ok(account?.totpSecret && !account.totpSecret.includes(Buffer.from(secretText)), 'the secret is stored wrapped');
    await logout(page);

    await login(page, 'tom@partner.test', pw);
    await page.waitForURL('**/login/totp');
    assert.equal((await page.goto(`${h.portal.url}/inbox`))?.status(), 401, 'password alone is not a login');
    await page.goto(`${h.portal.url}/login/totp`);
    await page.getByLabel('Code from your authenticator app').fill('123456');
    await page.getByRole('button', { name: 'Verify' }).click();
    assert.match(await page.locator('.alert.error:visible').textContent() ?? '', /not correct/);
    const code = totp.generate();
    await page.getByLabel('Code from your authenticator app').fill(code);
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.waitForURL('**/inbox');
    await logout(page);

    // the same code again (replay within its window) is refused
    await login(page, 'tom@partner.test', pw);
    await page.waitForURL('**/login/totp');
    await page.getByLabel('Code from your authenticator app').fill(code);
    await page.getByRole('button', { name: 'Verify' }).click();
    assert.match(await page.locator('.alert.error:visible').textContent() ?? '', /not correct/);
    await h.stores.portal.accounts.recordLoginSuccess('tom@partner.test');
  } finally {
    await context.close();
  }
});

test('passkeys: registration and login with the virtual authenticator, no password typed', async () => {
  const { page, context } = await newPage();
  try {
    await registerVia(page, 'pat@partner.test', 'velvet comet saddle 88');
    const { cdp, authenticatorId } = await addVirtualAuthenticator(page);
    await page.goto(`${h.portal.url}/security`);
    await page.getByRole('button', { name: 'Add a passkey' }).click();
    await page.waitForURL('**/security?done=passkey');
    assert.match(await page.locator('#passkey-list').textContent() ?? '', /Passkey/);
    const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
    assert.equal(credentials.length, 1);
    assert.ok(credentials[0]!.isResidentCredential, 'a discoverable credential');
    const stored = await h.stores.portal.passkeys.byAddress('pat@partner.test');
    assert.equal(stored.length, 1);
    assert.equal(stored[0]!.id, credentials[0]!.credentialId.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, ''));
    await logout(page);

    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await page.waitForURL('**/inbox');
    assert.match(await page.locator('main').textContent() ?? '', /Quarterly figures/);
    const audit = await h.stores.portal.audit.list({ address: 'pat@partner.test' });
    assert.ok(audit.some((e) => e.event === 'login' && e.detail.auth === 'passkey'));
    assert.ok(audit.some((e) => e.event === 'passkey-added'));

    // after a while, security changes ask for a fresh login first (a left-open session cannot plant a passkey)
    h.advance(16 * 60_000);
    try {
      await page.goto(`${h.portal.url}/security`);
      await page.getByRole('button', { name: /^Remove/ }).click();
      await page.waitForURL('**/login?next=/security&reauth=1');
      assert.match(await page.locator('.alert.error:visible').textContent() ?? '', /sign in again/);
      assert.equal((await h.stores.portal.passkeys.byAddress('pat@partner.test')).length, 1, 'nothing removed without the fresh login');
      await page.getByLabel('Password').fill('velvet comet saddle 88');
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await page.waitForURL('**/security');
    } finally {
      h.advance(-16 * 60_000);
    }
    // a lost passkey is removed from the security page; it no longer signs in
    await page.getByRole('button', { name: /^Remove/ }).click();
    await page.waitForURL('**/security?done=passkey-removed');
    assert.equal((await h.stores.portal.passkeys.byAddress('pat@partner.test')).length, 0);
    assert.ok((await h.stores.portal.audit.list({ address: 'pat@partner.test' })).some((e) => e.event === 'passkey-removed'));
    await logout(page);
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await page.locator('#passkey-error').waitFor({ state: 'visible' });
    assert.ok(page.url().endsWith('/login'));
  } finally {
    await context.close();
  }
});

test('lockout after repeated failures; answers never reveal whether an address exists', async () => {
  const { page, context } = await newPage();
  const pw = 'granite meadow violin 5';
  try {
    await registerVia(page, 'lou@partner.test', pw);
    await logout(page);
    const answers: { status: number; text: string }[] = [];
    for (let i = 0; i < 3; i++) {
      const status = await login(page, 'lou@partner.test', `wrong password ${i}!`);
      answers.push({ status, text: (await page.locator('.alert.error:visible').textContent()) ?? '' });
    }
    const account = await h.stores.portal.accounts.get('lou@partner.test');
    assert.ok(account?.lockedUntil && account.lockedUntil > Date.now(), 'locked after 3 failures');
    // the right password is refused while locked, with the same answer
    assert.deepEqual(answers.map((a) => a.status), [401, 401, 401]);
    assert.equal(await login(page, 'lou@partner.test', pw), 401);
    const lockedText = (await page.locator('.alert.error:visible').textContent()) ?? '';
    assert.equal(lockedText, answers[0]!.text);
    assert.ok(page.url().endsWith('/login'));
    // an unknown address gets the very same answer
    assert.equal(await login(page, 'nobody-here@partner.test', pw), 401);
    assert.equal((await page.locator('.alert.error:visible').textContent()) ?? '', lockedText);
    assert.match(lockedText, /not correct/);
    const audit = await h.stores.portal.audit.list({ address: 'lou@partner.test' });
    assert.ok(audit.some((e) => e.event === 'lockout'));
    await h.stores.portal.accounts.recordLoginSuccess('lou@partner.test');
    await login(page, 'lou@partner.test', pw);
    await page.waitForURL('**/inbox');
  } finally {
    await context.close();
  }
});

test('password reset by e-mail link: uniform answer, link sets a new password, old sessions end', async () => {
  const { page, context } = await newPage();
  try {
    await registerVia(page, 'rita@partner.test', 'old lemon parade 31');
    await logout(page);
    for (const address of ['rita@partner.test', 'unknown@partner.test']) {
      await page.goto(`${h.portal.url}/reset`);
      await page.getByLabel('E-mail address').fill(address);
      await page.getByRole('button', { name: 'Send the link' }).click();
      assert.match(await page.locator('.alert.ok').textContent() ?? '', /If the address has an account here/);
    }
    for (let i = 0; i < 50 && h.resets.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    assert.equal(h.resets.length, 1, 'a link only for the existing account');
    assert.equal(h.resets[0]!.address, 'rita@partner.test');
    await page.goto(h.resets[0]!.link);
    await page.getByLabel('New password').fill('new mango lantern 47');
    await page.getByLabel('Repeat the password').fill('new mango lantern 47');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL('**/login?done=reset');
    await login(page, 'rita@partner.test', 'old lemon parade 31');
    assert.match(await page.locator('.alert.error:visible').textContent() ?? '', /not correct/);
    await login(page, 'rita@partner.test', 'new mango lantern 47');
    await page.waitForURL('**/inbox');
    assert.equal((await page.goto(h.resets[0]!.link))?.status(), 410, 'the reset link works once');
  } finally {
    await context.close();
  }
});

test('security levels: "none" opens by link alone but only its own level; "medium" remembers the device', async () => {
  const { page, context } = await newPage();
  try {
    const pw = 'amber canyon whistle 64';
    const high = await registerVia(page, 'nina@partner.test', pw);
    await logout(page);
    const linkOnly = await h.deposit(SIMPLE, { recipient: 'nina@partner.test', subject: 'link only', security: 'none' });
    await page.goto(linkOnly.link);
    await page.getByRole('button', { name: 'Open my secure message' }).click();
    await page.waitForURL(`**/messages/${linkOnly.message.id}`);
    // the link-only session does not reach the high message
    assert.equal((await page.goto(`${h.portal.url}/messages/${high.message.id}`))?.status(), 401);
    await page.goto(`${h.portal.url}/inbox`);
    assert.doesNotMatch((await page.locator('main').textContent()) ?? '', /Quarterly figures/);

    // medium: the first visit asks for the password (with "remember"), the next link does not
    const m1 = await h.deposit(SIMPLE, { recipient: 'nina@partner.test', subject: 'medium one', security: 'medium' });
    await page.goto(m1.link);
    await page.getByRole('button', { name: 'Open my secure message' }).click();
    await page.getByLabel('Password').fill(pw);
    await page.getByLabel('Remember this device').check();
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL(`**/messages/${m1.message.id}`);
    await logout(page);
    const m2 = await h.deposit(SIMPLE, { recipient: 'nina@partner.test', subject: 'medium two', security: 'medium' });
    await page.goto(m2.link);
    await page.getByRole('button', { name: 'Open my secure message' }).click();
    await page.waitForURL(`**/messages/${m2.message.id}`);
    assert.equal(await page.locator('h1').textContent(), 'Quarterly figures');

    // "sign out everywhere" ends the other browser's session and forgets the remembered device
    const { page: other, context: otherContext } = await newPage();
    await login(other, 'nina@partner.test', pw);
    await other.waitForURL('**/inbox');
    await login(page, 'nina@partner.test', pw);
    await page.goto(`${h.portal.url}/security`);
    await page.getByRole('button', { name: 'Sign out everywhere' }).click();
    await page.waitForURL('**/login');
    assert.equal((await other.goto(`${h.portal.url}/inbox`))?.status(), 401, 'the other browser is signed out');
    await otherContext.close();
    const m3 = await h.deposit(SIMPLE, { recipient: 'nina@partner.test', subject: 'medium three', security: 'medium' });
    await page.goto(m3.link);
    await page.getByRole('button', { name: 'Open my secure message' }).click();
    assert.equal(await page.locator('h1').textContent(), 'Sign in', 'the device is no longer remembered');
  } finally {
    await context.close();
  }
});

test('three locales render: Accept-Language (fr, ja) and the switcher (de, remembered)', async () => {
  const m = await h.deposit(SIMPLE, { recipient: 'lea@partner.test' });
  for (const [locale, title, button] of [
    ['fr-FR', 'Vous avez reçu un message sécurisé', 'Ouvrir mon message sécurisé'],
    ['ja-JP', 'セキュアメッセージが届いています', 'セキュアメッセージを開く'],
  ] as const) {
    const { page, context } = await newPage({ locale });
    try {
      await page.goto(m.link);
      assert.equal(await page.locator('html').getAttribute('lang'), locale.slice(0, 2));
      assert.equal(await page.locator('h1').textContent(), title);
      assert.ok(await page.getByRole('button', { name: button }).isVisible());
    } finally {
      await context.close();
    }
  }
  // a browser language the portal does not have: the profile's locale, not English
  const german = await h.deposit(SIMPLE, { recipient: 'lea@partner.test', locale: 'de' });
  {
    const { page, context } = await newPage({ locale: 'sv-SE' });
    try {
      await page.goto(german.link);
      assert.equal(await page.locator('h1').textContent(), 'Sie haben eine sichere Nachricht');
    } finally {
      await context.close();
    }
  }
  const { page, context } = await newPage({ locale: 'en-US' });
  try {
    await page.goto(`${h.portal.url}/login`);
    assert.equal(await page.locator('h1').textContent(), 'Sign in');
    await page.getByRole('link', { name: 'Deutsch' }).click();
    assert.equal(await page.locator('h1').textContent(), 'Anmelden');
    await page.goto(`${h.portal.url}/reset`);
    assert.equal(await page.locator('h1').textContent(), 'Passwort zurücksetzen', 'the choice is remembered');
    assert.equal(await page.locator('html').getAttribute('lang'), 'de');
  } finally {
    await context.close();
  }
});

test('PDF password (pdf.passwordMode portal): set once on the security page, wrapped, apart from the login password', async () => {
  const { page, context } = await newPage();
  try {
    await registerVia(page, 'paula@partner.test', 'saffron kettle galaxy 73');
    await page.goto(`${h.portal.url}/security`);
    assert.equal(await page.locator('#pdf-state').textContent(), 'No PDF password is set.');
    await page.getByLabel('New PDF password').fill('short');
    await page.getByLabel('New PDF password').evaluate((el) => el.removeAttribute('minlength'));
    await page.getByRole('button', { name: 'Save the PDF password' }).click();
    assert.match(await page.locator('.alert.error:visible').textContent() ?? '', /10 to 127 characters/);
    await page.getByLabel('New PDF password').fill('pdf-only secret 2026');
    await page.getByRole('button', { name: 'Save the PDF password' }).click();
    await page.waitForURL('**/security?done=pdf');
    assert.equal(await page.locator('#pdf-state').textContent(), 'A PDF password is set.');
    const account = await h.stores.portal.accounts.get('paula@partner.test');
    assert.ok(account?.pdfPassword && !account.pdfPassword.includes(Buffer.from('pdf-only secret 2026')), 'stored wrapped');
    assert.equal(h.crypto.unwrapSecret('pdf', 'paula@partner.test', account.pdfPassword).toString(), 'pdf-only secret 2026');
    const audit = await h.stores.portal.audit.list({ address: 'paula@partner.test' });
    assert.ok(audit.some((e) => e.event === 'pdf-password-set'));
    assert.ok(!JSON.stringify(audit).includes('pdf-only secret'), 'never in the audit log');
  } finally {
    await context.close();
  }
});
