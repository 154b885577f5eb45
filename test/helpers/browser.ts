/**
 * Headless Chromium for the browser tests (Debian's /usr/bin/chromium driven by playwright-core).
 * One browser per test file (launch costs ~0.5 s); each test takes a fresh context (its own
 * cookies), so tests stay independent while the suite stays fast.
 */
import { chromium, type Browser, type BrowserContext, type CDPSession, type Page } from 'playwright-core';

export const CHROMIUM = process.env.SEALPOST_CHROMIUM ?? '/usr/bin/chromium';

const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

let shared: Promise<Browser> | undefined;

/** The file's browser, launched on first use. Call closeBrowser() in an after() hook. */
export function browser(): Promise<Browser> {
  shared ??= chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  return shared;
}

export async function closeBrowser(): Promise<void> {
  if (!shared) return;
  const b = await shared;
  shared = undefined;
  await b.close();
}

/** A fresh context (cookies, storage) that accepts the portal's generated certificate. */
export async function newContext(options: { locale?: string; acceptDownloads?: boolean } = {}): Promise<BrowserContext> {
  const b = await browser();
  return b.newContext({ ignoreHTTPSErrors: true, acceptDownloads: options.acceptDownloads ?? true, ...(options.locale ? { locale: options.locale } : {}) });
}

export async function newPage(options: { locale?: string } = {}): Promise<{ context: BrowserContext; page: Page }> {
  const context = await newContext(options);
  return { context, page: await context.newPage() };
}

/** A CTAP2 platform authenticator with user verification, through the DevTools protocol. */
export async function addVirtualAuthenticator(page: Page): Promise<{ cdp: CDPSession; authenticatorId: string }> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
  });
  return { cdp, authenticatorId };
}
