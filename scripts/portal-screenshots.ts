/**
 * Screenshots of the portal's main pages for docs/portal.md and the README:
 *   npx tsx scripts/portal-screenshots.ts
 * Starts the portal over a throw-away SQLite store (the browser-test harness), deposits two
 * sample messages, walks landing → registration → message → reply → security (TOTP QR) → inbox in headless Chromium
 * and writes docs/screenshots/portal-*.png (desktop 1200×800, plus the inbox at phone size).
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { closeBrowser, newPage } from '../test/helpers/browser.js';
import { startHarness } from '../test/e2e/portal-harness.js';

const OUT = join(import.meta.dirname, '..', 'docs', 'screenshots');

const HTML_MAIL = [
  'From: Alice Martin <alice@example.test>',
  'To: bob@partner.test',
  'Subject: Signed contract and invoice',
  'MIME-Version: 1.0',
  'Content-Type: multipart/mixed; boundary="b"',
  '',
  '--b',
  'Content-Type: text/html; charset=utf-8',
  '',
  '<p>Dear Bob,</p><p>please find the <b>signed contract</b> and the first invoice attached. Payment is due within <span style="color:#b42318">30 days</span>.</p>',
  '<table style="border-collapse:collapse"><tr><td style="border:1px solid #ccc;padding:4px 8px">Invoice</td><td style="border:1px solid #ccc;padding:4px 8px">2026-117</td></tr><tr><td style="border:1px solid #ccc;padding:4px 8px">Amount</td><td style="border:1px solid #ccc;padding:4px 8px">EUR 12,400.00</td></tr></table>',
  '<p>Kind regards,<br>Alice Martin<br>Example Corp — Legal</p><img src="https://tracker.example/pixel.gif" alt="">',
  '--b',
  'Content-Type: application/pdf; name="contract-signed.pdf"',
  'Content-Disposition: attachment; filename="contract-signed.pdf"',
  'Content-Transfer-Encoding: base64',
  '',
  Buffer.from('%PDF-1.7 sample').toString('base64'),
  '--b',
  'Content-Type: application/pdf; name="invoice-2026-117.pdf"',
  'Content-Disposition: attachment; filename="invoice-2026-117.pdf"',
  'Content-Transfer-Encoding: base64',
  '',
  Buffer.from('%PDF-1.7 invoice').toString('base64'),
  '--b--',
  '',
].join('\r\n');

const h = await startHarness();
try {
  await mkdir(OUT, { recursive: true });
  await h.deposit('From: HR <hr@example.test>\r\nSubject: Your payslip for October\r\n\r\nPlease find your payslip attached.\r\n', { subject: 'Your payslip for October', fromHeader: 'HR <hr@example.test>', branding: 'Example Corp' });
  const { message, link } = await h.deposit(HTML_MAIL, { subject: 'Signed contract and invoice', fromHeader: 'Alice Martin <alice@example.test>', branding: 'Example Corp', attachments: [{ part: '2', filename: 'contract-signed.pdf', contentType: 'application/pdf', size: 15 }] });
  const { page, context } = await newPage({ locale: 'en-GB' });
  await page.setViewportSize({ width: 1200, height: 800 });
  const shot = (name: string) => page.screenshot({ path: join(OUT, `portal-${name}.png`), fullPage: true });

  await page.goto(link);
  await shot('landing');
  await page.getByRole('button', { name: 'Open my secure message' }).click();
  await page.getByLabel('New password').fill('lilac tractor moonbeam 42');
  await page.getByLabel('Repeat the password').fill('lilac tractor moonbeam 42');
  await shot('register');
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.waitForURL(`**/messages/${message.id}`);
  await shot('message');
  await page.getByRole('link', { name: 'Reply', exact: true }).click();
  await page.getByLabel('Message').fill('Thank you Alice, I will forward the invoice to our accounts team today.\n\nBob');
  await shot('reply');
  await page.goto(`${h.portal.url}/security`);
  await page.getByRole('button', { name: 'Set up an authenticator app' }).click();
  await shot('security');
  await page.goto(`${h.portal.url}/inbox`);
  await shot('inbox');
  await page.setViewportSize({ width: 390, height: 800 });
  await page.screenshot({ path: join(OUT, 'portal-inbox-mobile.png'), fullPage: true });
  await page.setViewportSize({ width: 1200, height: 800 });
  await page.getByRole('button', { name: 'Sign out', exact: true }).click();
  await page.waitForURL('**/login');
  await page.getByLabel('E-mail address').fill('bob@partner.test');
  await shot('login');
  await context.close();
  console.log(`screenshots written to ${OUT}`);
} finally {
  await closeBrowser();
  await h.close();
}
