import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Branch, MessageContext, OutgoingNotice } from '../mail/context.js';
import { Trace } from '../mail/trace.js';
import { MessageDraft } from '../mime/draft.js';
import { SealpostError } from '../errors/index.js';
import type { PasswordNoticeRequest } from '../pdf/password-notice.js';
import { pdfMethod, type PdfMethodOptions, type PdfProfile } from './pdf-method.js';

const draft = MessageDraft.parse(Buffer.from('From: a@example.test\r\nTo: b@partner.test\r\nSubject: s\r\nX-Sealpost-Sms-Number: +491511111111\r\n\r\nplaintext\r\n'));
const ctx = (mailFrom: string, mayRelay = true) => ({ id: 'M', envelope: { mailFrom, recipients: [] }, session: { mayRelay }, trace: new Trace(), now: Date.now }) as unknown as MessageContext;
const branch = (direction: 'outbound' | 'inbound' = 'outbound'): Branch => ({ recipients: [{ address: 'b@partner.test', direction }], draft, facts: { method: 'pdf', protection: { level: 'mandatory', profile: 'p', decidedBy: { rule: 'r', level: 'gateway' } } } });

function method(pdf: Partial<PdfProfile>, extra: Partial<PdfMethodOptions> = {}) {
  const notices: PasswordNoticeRequest[] = [];
  const options: PdfMethodOptions = {
    profile: () => ({ passwordMode: 'random-to-sender', fileName: 'message.pdf', ...pdf }),
    render: {},
    notifier: { compose: (req) => (notices.push(req), { key: req.key!, recipient: req.to, direction: 'inbound', bytes: new Uint8Array() } satisfies OutgoingNotice) },
    ...extra,
  };
  return { m: pdfMethod(options), notices };
}

test('canServe per password mode: random needs a sender, static a password, sms a provider and a number, portal a password set in the portal; never inbound', async () => {
  const r = branch().recipients[0]!;
  assert.equal(await method({}).m.canServe(r, ctx('a@example.test'), branch()), true);
  assert.equal(await method({}).m.canServe(r, ctx(''), branch()), false);
  assert.equal(await method({}).m.canServe({ ...r, direction: 'inbound' }, ctx('a@example.test'), branch('inbound')), false);
  assert.equal(await method({ passwordMode: 'static' }).m.canServe(r, ctx('a@example.test'), branch()), false);
  assert.equal(await method({ passwordMode: 'static', password: 'agreed-pw' }).m.canServe(r, ctx('a@example.test'), branch()), true);
  assert.equal(await method({ passwordMode: 'portal' }).m.canServe(r, ctx('a@example.test'), branch()), false, 'no portal');
  const portal = (has: boolean) => ({ portalPasswords: { has: async () => has, lookup: async () => (has ? 'recipient-chosen-pw' : null) } });
  assert.equal(await method({ passwordMode: 'portal' }, portal(false)).m.canServe(r, ctx('a@example.test'), branch()), false, 'no PDF password set yet');
  assert.equal(await method({ passwordMode: 'portal' }, portal(true)).m.canServe(r, ctx('a@example.test'), branch()), true);
  const provider = { name: 'test', send: async () => undefined };
  const sms = (acceptHeader: boolean) => ({ sms: { provider, directory: null, acceptHeader, text: '{password}' } });
  assert.equal(await method({ passwordMode: 'sms' }).m.canServe(r, ctx('a@example.test'), branch()), false, 'no provider');
  assert.equal(await method({ passwordMode: 'sms' }, sms(true)).m.canServe(r, ctx('a@example.test'), branch()), true, 'header from an internal sender');
  assert.equal(await method({ passwordMode: 'sms' }, sms(true)).m.canServe(r, ctx('a@example.test', false), branch()), false, 'header from outside is ignored');
  assert.equal(await method({ passwordMode: 'sms' }, sms(false)).m.canServe(r, ctx('a@example.test'), branch()), false, 'header not accepted');
});

test('fails closed: an SMS that cannot be sent throws (the step defers) and no draft or notice comes out', async () => {
  const provider = { name: 'down', send: async () => { throw new SealpostError('SP_ERR_SMS_SEND_FAILED', 'HTTP 503'); } };
  const { m, notices } = method({ passwordMode: 'sms' }, { sms: { provider, directory: null, acceptHeader: true, text: '{password}' } });
  const b = branch();
  await assert.rejects(m.protect(ctx('a@example.test'), b), (e: unknown) => e instanceof SealpostError && e.code === 'SP_ERR_SMS_SEND_FAILED');
  assert.equal(notices.length, 0);
  assert.equal(b.facts.notices, undefined);
});

test('fails closed: a render failure (no font) throws; random-to-sender emits its notice only with a PDF', async () => {
  const bad = method({}, { render: { fonts: [{ file: '/nonexistent.ttf' }] } });
  const b = branch();
  await assert.rejects(bad.m.protect(ctx('a@example.test'), b), /SP_ERR_PDF_FONT_MISSING|no configured PDF font/);
  assert.equal(b.facts.notices, undefined);
  const good = method({});
  const b2 = branch();
  const out = await good.m.protect(ctx('a@example.test'), b2);
  assert.equal(out.kind, 'continue');
  assert.equal(b2.facts.notices?.length, 1);
  assert.equal(good.notices[0]!.to, 'a@example.test');
  assert.match(good.notices[0]!.vars.password, /^[0-9a-z]{5}(-[0-9a-z]{5}){3}$/);
  const text = out.kind === 'continue' ? out.draft!.toBuffer().toString('latin1') : '';
  assert.doesNotMatch(text, /plaintext|X-Sealpost-Sms-Number/);
  assert.ok(!text.includes(good.notices[0]!.vars.password));
});

test('dry run (policy explain): a PDF, but no SMS and no notice', async () => {
  let sent = 0;
  const provider = { name: 'count', send: async () => void (sent += 1) };
  const { m, notices } = method({ passwordMode: 'sms' }, { dryRun: true, sms: { provider, directory: null, acceptHeader: true, text: '{password}' } });
  const b = branch();
  const msg = ctx('a@example.test');
  assert.equal((await m.protect(msg, b)).kind, 'continue');
  assert.equal(sent, 0);
  assert.equal(notices.length, 0);
  assert.ok(msg.trace.entries.some((e) => e.event === 'password' && /dry run/.test(e.detail ?? '')));
});

test('the text beside the PDF speaks the profile\'s language (notification templates, pdf-message)', async () => {
  const { TemplateEngine } = await import('../notify/template/engine.js');
  const { qpDecode } = await import('../mime/read.js');
  const wording = new TemplateEngine({ profiles: { p: { locale: 'de' } } });
  const { m } = method({ passwordMode: 'random-to-sender' }, { wording });
  const out = await m.protect(ctx('a@example.test'), branch());
  assert.equal(out.kind, 'continue');
  const raw = (out as { draft: MessageDraft }).draft.toBuffer().toString('latin1');
  const text = qpDecode(Buffer.from(raw.slice(raw.indexOf('quoted-printable\r\n\r\n')), 'latin1')).toString('utf8');
  assert.match(text, /a@example\.test hat Ihnen eine vertrauliche Nachricht gesendet/);
  assert.match(text, /Das Passwort wurde a@example\.test separat zugesandt/);
  assert.doesNotMatch(text, /per SMS|vereinbart/, 'only the paragraph of the profile\'s password mode');
  assert.doesNotMatch(text, /automatische Nachricht/, 'not a notice: no "automatic message" footer');
});

test('passwordMode portal: the PDF opens with the recipient\'s own portal password (qpdf), no notice goes out, the text says where the password comes from', async () => {
  const { execFileSync, spawnSync } = await import('node:child_process');
  const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { tmpdir } = await import('node:os');
  const { base64Decode, qpDecode } = await import('../mime/read.js');
  const { m, notices } = method({ passwordMode: 'portal' }, { portalPasswords: { has: async () => true, lookup: async (a) => (a === 'b@partner.test' ? 'recipient-chosen-pw' : null) } });
  const out = await m.protect(ctx('a@example.test'), branch());
  assert.equal(out.kind, 'continue');
  assert.equal(notices.length, 0, 'nobody needs to be told a password');
  const raw = (out as { draft: MessageDraft }).draft.toBuffer().toString('latin1');
  assert.match(qpDecode(Buffer.from(raw.slice(raw.indexOf('quoted-printable\r\n\r\n')), 'latin1')).toString('utf8'), /PDF password you set in the secure mail portal/);
  const b64 = /Content-Transfer-Encoding: base64\r\n\r\n([A-Za-z0-9+/=\r\n]+)/.exec(raw)![1]!;
  const dir = mkdtempSync(join(tmpdir(), 'sealpost-pdf-portal-'));
  try {
    writeFileSync(join(dir, 'm.pdf'), base64Decode(Buffer.from(b64, 'latin1')));
    assert.notEqual(spawnSync('qpdf', ['--password=wrong', '--decrypt', join(dir, 'm.pdf'), join(dir, 'x.pdf')]).status, 0);
    execFileSync('qpdf', ['--password=recipient-chosen-pw', '--decrypt', join(dir, 'm.pdf'), join(dir, 'plain.pdf')]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const two: Branch = { ...branch(), recipients: [{ address: 'b@partner.test', direction: 'outbound' }, { address: 'c@partner.test', direction: 'outbound' }] };
  await assert.rejects(m.protect(ctx('a@example.test'), two), /one recipient per PDF/, 'fails closed: two passwords cannot open one PDF');
});
