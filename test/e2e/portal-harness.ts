/**
 * The portal web app over a real SQLite PortalStore and real sealing (PortalCrypto), with the
 * gateway-facing ports recorded instead of delivered: for browser tests of the pages themselves.
 * (The full path through SMTP, deposit and reply injection is test/e2e/portal-flow.test.ts.)
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStores, openDatabase, type Stores } from '../../src/db/index.js';
import pino from 'pino';
import { PortalCrypto } from '../../src/portal/crypto.js';
import { portalPdfPasswords } from '../../src/portal/pdf-password.js';
import type { NewPortalMessage, PortalMessage } from '../../src/portal/store.js';
import { startPortal, type PortalReply, type RunningPortal } from '../../src/portal/web/index.js';

export interface Harness {
  readonly stores: Stores;
  readonly portal: RunningPortal;
  readonly crypto: PortalCrypto;
  readonly replies: PortalReply[];
  readonly resets: { address: string; link: string }[];
  readonly receipts: PortalMessage[];
  /** every log line the portal wrote (debug level), to check that no secret or body leaks */
  readonly logs: string[];
  /** moves the web app's clock (not the store's) forward: session age, re-authentication */
  advance(ms: number): void;
  deposit(raw: string | Buffer, over?: Partial<NewPortalMessage>): Promise<{ message: PortalMessage; link: string }>;
  close(): Promise<void>;
}

let seq = 0;

export async function startHarness(options: { lockout?: { maxFailures: number; lockMs: number } } = {}): Promise<Harness> {
  const dir = await mkdtemp(join(tmpdir(), 'sealpost-portal-web-'));
  const stores = createStores(await openDatabase(`sqlite:${join(dir, 'portal.db')}`));
  const crypto = PortalCrypto.fromMasterKey(randomBytes(32));
  const replies: PortalReply[] = [];
  const resets: { address: string; link: string }[] = [];
  const receipts: PortalMessage[] = [];
  const logs: string[] = [];
  let skew = 0;
  const logger = pino({ level: 'debug' }, { write: (line: string) => void logs.push(line) });
  const portal = await startPortal({
    ports: {
      store: stores.portal,
      openBody: async (m, body) => crypto.open('message', m.id, body),
      inject: async (reply) => {
        replies.push(reply);
        const id = `sent-${++seq}`;
        await stores.portal.sent.add({ id, account: reply.account, kind: reply.kind, inReplyTo: reply.inReplyTo?.id ?? null, to: reply.to, cc: reply.cc, subject: reply.subject, spoolId: `spool-${id}`, createdAt: Date.now(), size: reply.text.length, attachments: reply.attachments.map((a, i) => ({ part: String(i + 2), filename: a.filename, contentType: a.contentType, size: a.content.length })), ...crypto.seal('sent', id, Buffer.from(reply.text)) });
        return { id };
      },
      sendPasswordReset: async (address, link) => void resets.push({ address, link }),
      readReceipt: async (m) => void receipts.push(m),
      isInternal: (a) => a.toLowerCase().endsWith('@example.test'),
      wrapTotp: (address, secret) => crypto.wrapSecret('totp', address, secret),
      unwrapTotp: (address, wrapped) => crypto.unwrapSecret('totp', address, wrapped),
      pdfPasswords: portalPdfPasswords(stores.portal, crypto),
    },
    options: { listen: '127.0.0.1:0', baseUrl: 'https://localhost:8443', secret: randomBytes(32), logger, now: () => Date.now() + skew, brandings: { 'example-corp': { organisation: 'Example Corp', colour: '#7a1f5c', footer: 'Example Corp · 1 Example Street · support@example.test' } }, argon2: { memoryCost: 4096, timeCost: 1 }, ...(options.lockout ? { lockout: options.lockout } : {}) },
  });
  return {
    stores,
    portal,
    crypto,
    replies,
    resets,
    receipts,
    logs,
    advance(ms) {
      skew += ms;
    },
    async deposit(raw, over = {}) {
      const id = over.id ?? `P${Date.now().toString(36)}${++seq}`;
      const sealed = crypto.seal('message', id, Buffer.from(raw));
      const now = Date.now();
      const { message } = await stores.portal.messages.deposit({
        id,
        spoolId: `S-${id}`,
        recipient: 'bob@partner.test',
        sender: 'alice@example.test',
        fromHeader: 'Alice <alice@example.test>',
        subject: 'Quarterly figures',
        originalMessageId: '<m1@example.test>',
        to: ['bob@partner.test'],
        cc: ['carol@example.test'],
        profile: 'default',
        security: 'high',
        allowReply: true,
        allowReplyAll: true,
        allowForward: true,
        readReceipts: false,
        locale: 'en',
        branding: null,
        createdAt: now,
        expiresAt: now + 30 * 86_400_000,
        size: Buffer.byteLength(raw),
        attachments: [],
        ...sealed,
        ...over,
      });
      const token = await stores.portal.tokens.issue({ purpose: 'message', address: message.recipient, messageId: message.id, expiresAt: now + 30 * 86_400_000 });
      return { message, link: `${portal.url}/m/${token}` };
    },
    async close() {
      await portal.stop();
      await stores.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export const SIMPLE = [
  'From: Alice <alice@example.test>',
  'To: bob@partner.test',
  'Cc: carol@example.test',
  'Subject: Quarterly figures',
  'Message-ID: <m1@example.test>',
  'MIME-Version: 1.0',
  'Content-Type: multipart/mixed; boundary="b1"',
  '',
  '--b1',
  'Content-Type: text/plain; charset=utf-8',
  'Content-Transfer-Encoding: 8bit',
  '',
  'Hello Bob, the figures are attached. Grüße',
  '--b1',
  'Content-Type: application/pdf; name="figures.pdf"',
  'Content-Disposition: attachment; filename="figures.pdf"',
  'Content-Transfer-Encoding: base64',
  '',
  Buffer.from('%PDF-1.4 figures for Bob').toString('base64'),
  '--b1--',
  '',
].join('\r\n');
