import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import libmime from 'libmime';
import { parseConfigText } from '../../config/load.js';
import { SealpostError } from '../../errors/index.js';
import { CATALOGS } from '../locales/index.js';
import { engineFromConfig } from '../from-config.js';
import { assertWireClean, noticeParts } from '../mime-check.test-util.js';
import { createNotifier } from '../notifier.js';
import { TemplateEngine } from './engine.js';
import { loadOverrides } from './overrides.js';
import { parseTemplate } from './render.js';
import { BUILTIN_LOCALES, COMMON_VARIABLES, EXTRA_NOTICE_TYPES, HEADER_TYPE, TEMPLATE_TYPES, TYPE_VARIABLES, type Block, type ComposableType, type TemplateType } from './types.js';
import { NOTICE_TYPES } from '../notice.js';

const COMPOSABLE: readonly ComposableType[] = [...NOTICE_TYPES, ...EXTRA_NOTICE_TYPES];

const NOW = Date.UTC(2025, 5, 1, 12, 0, 0);
const base = { hostname: 'gw.example.test', node: 'n1', secret: Buffer.alloc(32, 1), from: 'securemail-noreply@example.test', internalDomains: ['example.test'], now: () => NOW };

/** Distinctive values, so a test can see each one arrive. */
const VARS: Record<TemplateType, Record<string, string | string[]>> = {
  'portal-message': { sender: 'alice@example.test', subject: 'Q3 figures', link: 'https://portal.example.test/m/abc123', expires: '2025-07-15', recipient: 'bob@partner.example' },
  'portal-reminder': { sender: 'alice@example.test', subject: 'Q3 figures', link: 'https://portal.example.test/m/abc123', expires: '2025-07-15', recipient: 'bob@partner.example' },
  'pdf-password': { recipients: ['bob@partner.example', 'carol@other.example'], subject: 'Q3 figures', password: 'Tr0ub4dor&3-xyz' },
  'encryption-failed': { recipients: ['bob@partner.example'], subject: 'Q3 figures', reason: 'no method could serve', waited: '1d' },
  quarantined: { subject: 'Q3 figures', reason: 'card numbers', rules: ['card-numbers', 'big-files'], id: 'Q-7781', recipients: ['bob@partner.example'] },
  blocked: { subject: 'Q3 figures', reply: 'Sending to this domain is not allowed', recipients: ['bob@partner.example'] },
  'read-receipt': { reader: 'bob@partner.example', subject: 'Q3 figures', readAt: '2025-06-01T10:30:00Z' },
  expired: { subject: 'Q3 figures', recipients: ['bob@partner.example'] },
  'decrypt-failed': { subject: 'Q3 figures', reason: 'no matching key' },
  'portal-sent': { recipient: 'bob@partner.example', subject: 'Q3 figures', link: 'https://portal.example.test/r/recall9', expires: '2025-07-15' },
  'portal-password-reset': { link: 'https://portal.example.test/reset/tok42' },
  'pdf-message': { sender: 'alice@example.test', subject: 'Q3 figures', fileName: 'secure-message.pdf', toSender: 'yes' },
  dsn: { host: 'gw.example.test', failed: ['<bob@partner.example>: 550 5.1.1 no such user'], delayed: [] },
};

/** Values each type's text must show (dates and durations are localised, so not listed). */
const SHOWN: Record<ComposableType, string[]> = {
  'portal-sent': ['bob@partner.example', 'Q3 figures', 'https://portal.example.test/r/recall9'],
  'portal-password-reset': ['https://portal.example.test/reset/tok42'],
  'portal-message': ['alice@example.test', 'Q3 figures', 'https://portal.example.test/m/abc123'],
  'portal-reminder': ['alice@example.test', 'Q3 figures', 'https://portal.example.test/m/abc123'],
  'pdf-password': ['bob@partner.example', 'carol@other.example', 'Q3 figures', 'Tr0ub4dor&3-xyz'],
  'encryption-failed': ['bob@partner.example', 'Q3 figures', 'no method could serve'],
  quarantined: ['Q3 figures', 'card numbers', 'card-numbers', 'big-files', 'Q-7781', 'bob@partner.example'],
  blocked: ['Q3 figures', 'Sending to this domain is not allowed', 'bob@partner.example'],
  'read-receipt': ['bob@partner.example', 'Q3 figures', '2025'],
  expired: ['Q3 figures', 'bob@partner.example'],
  'decrypt-failed': ['Q3 figures', 'no matching key'],
};

const kinds = (blocks: readonly Block[]): string[] => blocks.map((b) => (typeof b === 'string' ? 'p' : 'list' in b ? `list:${b.list}` : 'password' in b ? 'password' : 'link' in b ? `link:${b.link}` : `detail:${b.detail}`)).filter((k) => k !== 'p');

describe('built-in catalogs', () => {
  it('every locale has every type, with the same lists, links, details and password line as English', () => {
    for (const locale of BUILTIN_LOCALES) {
      const c = CATALOGS[locale]!;
      assert.ok(c, locale);
      for (const type of TEMPLATE_TYPES) assert.deepEqual(kinds(c.types[type].body), kinds(CATALOGS.en!.types[type].body), `${locale}/${type}`);
    }
  });

  it('every built-in string parses and reads only variables its type has', () => {
    for (const locale of BUILTIN_LOCALES) {
      const c = CATALOGS[locale]!;
      for (const s of [c.auto, c.linkFallback]) for (const v of parseTemplate(s).variables) assert.ok((COMMON_VARIABLES as readonly string[]).includes(v), `${locale}: ${v}`);
      for (const type of TEMPLATE_TYPES) {
        const known = new Set<string>([...TYPE_VARIABLES[type], ...COMMON_VARIABLES]);
        const strings = [c.types[type].subject, ...c.types[type].body.flatMap((b) => (typeof b === 'string' ? [b] : 'heading' in b && b.heading ? [b.heading] : 'label' in b ? [b.label] : []))];
        for (const s of strings) for (const v of parseTemplate(s).variables) assert.ok(known.has(v), `${locale}/${type}: {{${v}}} in ${s}`);
      }
    }
  });
});

describe('a rendered notice per locale per type', () => {
  const notifier = createNotifier({ ...base, engine: new TemplateEngine({ timeZone: 'UTC' }) });
  const english = new Map<ComposableType, { subject: string; firstLine: string }>();
  for (const locale of BUILTIN_LOCALES) {
    it(`${locale}: all ${COMPOSABLE.length} types are complete, translated, parseable MIME and wire-clean`, () => {
      for (const type of COMPOSABLE) {
        const n = notifier.compose({ type, to: 'alice@example.test', locale, vars: VARS[type], originalHeaders: Buffer.from('Subject: Q3 figures\r\nFrom: alice@example.test\r\n\r\nBODY MUST NOT LEAK\r\n') });
        const raw = Buffer.from(n.bytes);
        assertWireClean(raw);
        const s = raw.toString('latin1');
        assert.ok(!s.includes('BODY MUST NOT LEAK'));
        const { headers, text, html, original } = noticeParts(s);
        assert.deepEqual(headers.get('x-sealpost-notification'), [HEADER_TYPE[type]]);
        if (type === 'portal-sent' || type === 'portal-password-reset') assert.equal(HEADER_TYPE[type], 'portal-message');
        assert.deepEqual(headers.get('auto-submitted'), ['auto-generated']);
        assert.deepEqual(headers.get('content-language'), [locale]);
        assert.ok(headers.get('x-sealpost-processed')?.[0], 'loop marker');
        assert.match(original ?? '', /^Subject: Q3 figures\r\n/);
        const subject = libmime.decodeWords(headers.get('subject')![0]!);
        assert.ok(subject.trim().length > 3, `${locale}/${type} subject`);
        const flat = text.replace(/\s+/g, ' ');
        for (const v of SHOWN[type]) {
          assert.ok(flat.includes(v), `${locale}/${type}: text shows ${v}\n${text}`);
          assert.ok(html.includes(v.replace(/&/g, '&#38;')), `${locale}/${type}: html shows ${v}`);
        }
        assert.ok(text.includes('\r\n-- \r\n'), 'signature separator before the footer');
        assert.match(html, new RegExp(`^<!DOCTYPE html>\\r\\n<html lang="${locale}">`));
        if (type === 'pdf-password') {
          assert.ok(text.split('\r\n').includes('Password: Tr0ub4dor&3-xyz'), `${locale}: Password line of its own`);
          assert.match(html, /Password: <strong>Tr0ub4dor&#38;3-xyz<\/strong>/);
        }
        if (type === 'portal-message') assert.match(html, /<a href="https:\/\/portal\.example\.test\/m\/abc123"/);
        const firstLine = text.split('\r\n')[0]!;
        if (locale === 'en') english.set(type, { subject, firstLine });
        else {
          assert.notEqual(subject, english.get(type)!.subject, `${locale}/${type}: subject translated`);
          assert.notEqual(firstLine, english.get(type)!.firstLine, `${locale}/${type}: body translated`);
        }
      }
    });
  }

  it('dates and durations are spelled out for the locale', () => {
    const e = new TemplateEngine({ timeZone: 'Europe/Berlin' });
    const text = (type: TemplateType, locale: string, vars = VARS[type]): string => e.render({ type, locale, vars }).text.replace(/\s+/g, ' ');
    assert.match(text('portal-message', 'de'), /bis zum 15\. Juli 2025 gelesen/);
    assert.match(text('portal-message', 'ja'), /2025年7月15日/);
    assert.match(text('read-receipt', 'fr'), /le 1 juin 2025 à 12:30 UTC\+2/);
    assert.match(text('read-receipt', 'de'), /am 1\. Juni 2025 um 12:30 MESZ gelesen/);
    assert.match(text('encryption-failed', 'de'), /Wartezeit: 1 Tag\)/);
    assert.match(text('encryption-failed', 'en', { ...VARS['encryption-failed'], waited: '4h' }), /within 4 hours/);
  });

  it('a non-Latin notice travels as base64 and decodes exactly; a Latin one as quoted-printable', () => {
    const ja = noticeParts(Buffer.from(notifier.compose({ type: 'expired', to: 'a@example.test', locale: 'ja', vars: VARS.expired }).bytes).toString('latin1'));
    assert.match(ja.text, /有効期限が切れました/);
    const raw = Buffer.from(notifier.compose({ type: 'expired', to: 'a@example.test', locale: 'ja', vars: VARS.expired }).bytes).toString('latin1');
    assert.match(raw, /Content-Transfer-Encoding: base64/);
    const fr = Buffer.from(notifier.compose({ type: 'expired', to: 'a@example.test', locale: 'fr', vars: VARS.expired }).bytes).toString('latin1');
    assert.doesNotMatch(fr, /Content-Transfer-Encoding: base64/);
  });
});

describe('quarantine and block notices to someone other than the sender', () => {
  it('say "a message from <sender>" and leave out the advice meant for the sender', () => {
    const e = new TemplateEngine();
    for (const [locale, own, others] of [
      ['en', /^Your message \("Q3 figures"\) has been held/, /^A message from alice@example\.test \("Q3 figures"\) has been held/],
      ['de', /^Ihre Nachricht/, /^Eine Nachricht von alice@example\.test/],
      ['ja', /^あなたのメッセージ/, /^alice@example\.test からのメッセージ/],
    ] as const) {
      const vars = { ...VARS.quarantined, sender: 'alice@example.test' };
      const toSender = e.render({ type: 'quarantined', locale, to: 'Alice@Example.test', vars }).text;
      const toAdmin = e.render({ type: 'quarantined', locale, to: 'security@example.test', vars }).text;
      assert.match(toSender, own);
      assert.match(toAdmin, others);
      assert.ok(toSender.split('\n\n').length > toAdmin.split('\n\n').length, 'the sender-only advice is left out');
      assert.match(e.render({ type: 'blocked', locale, to: 'security@example.test', vars: { ...VARS.blocked, sender: 'alice@example.test' } }).text, others.source.includes('held') ? /^A message from alice@example\.test \("Q3 figures"\) was blocked/ : others);
    }
  });
});

describe('hostile variables', () => {
  const notifier = createNotifier(base);
  const hostile = {
    sender: '"><script>alert(1)</script>@evil.example',
    subject: 'x</title><img src=x onerror=alert(1)>\r\nBcc: victim@example.net\u202e',
    link: 'javascript:alert(document.cookie)',
    recipients: ['<b onmouseover=alert(1)>bob@partner.example'],
    expires: '"><svg onload=alert(1)>',
  };

  it('are escaped in HTML, cleaned in text, and cannot inject headers or links', () => {
    for (const type of ['portal-message', 'pdf-password', 'quarantined'] as const) {
      const raw = Buffer.from(notifier.compose({ type, to: 'a@example.test', vars: { ...hostile, password: 'pw' } }).bytes).toString('latin1');
      assert.ok(!/\r\nBcc:/i.test(raw), 'no header injection');
      const { headers, text, html } = noticeParts(raw);
      assert.ok(!/<(script|img src=x|svg|b )/i.test(html), `${type}: no live markup`);
      assert.doesNotMatch(html, /href="javascript:/i);
      assert.ok(!html.includes('\u202e') && !text.includes('\u202e'), 'bidi override removed');
      assert.ok(!text.includes('\r\nBcc:'));
      assert.ok(!libmime.decodeWords(headers.get('subject')![0]!).includes('\n'));
      if (type === 'portal-message') assert.ok(!text.includes('javascript:'), 'a non-web link is dropped');
    }
  });

  it('a subject posing as a password line cannot start a line in the pdf-password text', () => {
    const raw = Buffer.from(notifier.compose({ type: 'pdf-password', to: 'a@example.test', vars: { subject: 'Q3 Password: hunter2 and then a very long tail of words so that wrapping happens', recipients: ['b@x.example'], password: 'real-one' } }).bytes).toString('latin1');
    const lines = noticeParts(raw).text.split('\r\n').filter((l) => /^password:/i.test(l));
    assert.deepEqual(lines, ['Password: real-one']);
  });

  it('a pdf-password notice without a password is refused (fail closed)', () => {
    assert.throws(() => notifier.compose({ type: 'pdf-password', to: 'a@example.test', vars: { recipients: ['b@x'] } }), SealpostError);
  });
});

describe('locale choice and branding', () => {
  const e = new TemplateEngine({
    defaultLocale: 'nl',
    brandings: { acme: { organisation: 'ACME Bank', colour: '#aa0000', logoUrl: 'https://cdn.acme.example/logo.png', footer: 'ACME Bank, 1 Main St', fromName: 'ACME Secure' } },
    defaultBranding: 'acme',
    profiles: { de: { locale: 'de' }, plain: { branding: 'Plain Org' }, nolocale: {} },
  });

  it('request → profile → notifications.locale → English; region tags fall back to their language', () => {
    assert.equal(e.resolveLocale('pt-BR'), 'pt');
    assert.equal(e.resolveLocale('zh_Hant_TW'), 'zh');
    assert.equal(e.resolveLocale('JA'), 'ja');
    assert.equal(e.resolveLocale(undefined, 'de'), 'de');
    assert.equal(e.resolveLocale('xx', 'de'), 'de', 'an unknown request locale falls through');
    assert.equal(e.resolveLocale(undefined, 'nolocale'), 'nl');
    assert.equal(e.resolveLocale('%%%', 'missing'), 'nl');
    assert.equal(new TemplateEngine().resolveLocale('sv'), 'en');
    assert.equal(new TemplateEngine({ defaultLocale: 'tlh' }).resolveLocale(undefined), 'en');
  });

  it('applies the named branding: organisation, colour, logo, footer, sender name', () => {
    const n = createNotifier({ ...base, engine: e }).compose({ type: 'expired', to: 'a@example.test', locale: 'en', vars: VARS.expired });
    const { headers, text, html } = noticeParts(Buffer.from(n.bytes).toString('latin1'));
    assert.deepEqual(headers.get('from'), ['"ACME Secure" <securemail-noreply@example.test>']);
    assert.match(html, /border-top:4px solid #aa0000/);
    assert.match(html, /<img src="https:\/\/cdn\.acme\.example\/logo\.png" alt="ACME Bank"/);
    assert.match(html, /ACME Bank, 1 Main St/);
    assert.match(text, /automatic message from ACME Bank\.[\s\S]*ACME Bank, 1 Main St/);
  });

  it('a profile branding that is not configured is an organisation name with the default look; none = neutral', () => {
    const r = e.render({ type: 'expired', profile: 'plain', vars: VARS.expired });
    assert.equal(r.branding.organisation, 'Plain Org');
    assert.match(r.html, /#1f4e79/);
    assert.doesNotMatch(r.html, /<img/);
    assert.equal(new TemplateEngine().render({ type: 'expired', vars: VARS.expired }).branding.organisation, 'Secure Mail');
  });
});

describe('template overrides (notifications.templatesDir)', () => {
  const root = mkdtempSync(join(tmpdir(), 'sp-tpl-'));
  after(() => rmSync(root, { recursive: true, force: true }));
  let n = 0;
  const dir = (files: Record<string, string>): string => {
    const d = join(root, String(n++));
    for (const [path, content] of Object.entries(files)) {
      mkdirSync(join(d, path, '..'), { recursive: true });
      writeFileSync(join(d, path), content);
    }
    mkdirSync(d, { recursive: true });
    return d;
  };

  it('replace subject, text or HTML of one type in one locale; the missing alternative is derived', () => {
    const d = dir({
      'de/pdf-password.subject': 'Ihr Kennwort für {{subject}}',
      'de/pdf-password.txt': 'Hallo,\n\nfür {{#each recipients}}{{.}} {{/each}}gilt:\nPassword: {{password}}\n\nIhre IT ({{organisation}})\n',
      'ja/expired.html': '<html><body><h1>期限切れ</h1><p>{{subject}} &mdash; {{#each recipients}}<b>{{.}}</b>{{/each}}</p></body></html>',
      'sv/expired.txt': 'Ditt meddelande {{subject}} har gått ut.',
    });
    const e = new TemplateEngine({ overrides: loadOverrides(d) });
    const de = e.render({ type: 'pdf-password', locale: 'de', vars: { ...VARS['pdf-password'], subject: '<Q3>' } });
    assert.equal(de.subject, 'Ihr Kennwort für <Q3>');
    assert.match(de.text, /^Hallo,\n\nfür bob@partner\.example carol@other\.example gilt:\nPassword: Tr0ub4dor&3-xyz\n/);
    assert.match(de.text, /\n-- \nDies ist eine automatische Nachricht/, 'the footer is added when the override has none');
    assert.match(de.html, /<p style="[^"]*">Hallo,<\/p>/);
    assert.match(de.html, /Password: Tr0ub4dor&#38;3-xyz/);
    const deOther = e.render({ type: 'expired', locale: 'de', vars: VARS.expired });
    assert.match(deOther.subject, /Ungelesen abgelaufen/, 'other types keep the built-in wording');
    const ja = e.render({ type: 'expired', locale: 'ja', vars: { ...VARS.expired, subject: 'a<b' } });
    assert.match(ja.html, /<p>a&#60;b &mdash; <b>bob@partner\.example<\/b><\/p>/);
    assert.match(ja.text, /期限切れ/);
    assert.match(ja.subject, /未読のまま期限切れ/, 'built-in subject kept');
    assert.equal(e.resolveLocale('sv'), 'sv', 'an override directory adds a locale');
    const sv = e.render({ type: 'expired', locale: 'sv', vars: VARS.expired });
    assert.match(sv.text, /^Ditt meddelande Q3 figures har gått ut\./);
    assert.match(sv.subject, /^Expired unread/, 'missing pieces of a new locale come from English');
    assert.match(e.render({ type: 'blocked', locale: 'sv', vars: VARS.blocked }).text, /was blocked/);
  });

  for (const [name, files, where, message] of [
    ['a syntax error', { 'de/expired.txt': 'ok\n{{#if subject}}never closed' }, /de\/expired\.txt:2:1$/, /never closed/],
    ['an unknown variable', { 'fr/blocked.html': '<p>{{pasword}}</p>' }, /fr\/blocked\.html$/, /unknown variable \{\{pasword\}\} for blocked/],
    ['an unknown type', { 'fr/pasword.txt': 'x' }, /fr\/pasword\.txt$/, /unknown notice type "pasword"/],
    ['a stray file', { 'fr/notes.md': 'x' }, /fr\/notes\.md$/, /unexpected file/],
    ['a bad locale directory', { 'French/expired.txt': 'x' }, /French$/, /not a locale tag/],
    ['a password text without its line', { 'de/pdf-password.txt': 'Kennwort: {{password}}' }, /de\/pdf-password\.txt$/, /Password: \{\{password\}\}/],
    ['a password HTML without text', { 'de/pdf-password.html': '<p>Password: {{password}}</p>' }, /de\/pdf-password\.html$/, /give pdf-password\.txt too/],
    ['raw output', { 'de/expired.html': '{{{subject}}}' }, /de\/expired\.html:1:1$/, /raw output/],
    ['a two-line subject', { 'de/expired.subject': 'a\nb' }, /de\/expired\.subject$/, /one line/],
    ['a password in a subject', { 'de/pdf-password.subject': 'Kennwort {{password}}' }, /de\/pdf-password\.subject$/, /must not contain \{\{password\}\}/],
    ['invalid UTF-8', { 'de/expired.txt': '\xff' }, /de\/expired\.txt$/, /UTF-8/],
  ] as const) {
    it(`refuse ${name} with the file's path`, () => {
      const d = dir(name === 'invalid UTF-8' ? {} : files);
      if (name === 'invalid UTF-8') {
        mkdirSync(join(d, 'de'), { recursive: true });
        writeFileSync(join(d, 'de/expired.txt'), Buffer.from([0xff, 0xfe]));
      }
      assert.throws(
        () => loadOverrides(d),
        (err: unknown) => {
          assert.ok(err instanceof SealpostError, String(err));
          assert.equal(err.code, 'SP_ERR_CONFIG_INVALID');
          assert.ok(err.message.startsWith('configuration is invalid: '), err.message);
          const [path, ...rest] = err.message.slice('configuration is invalid: '.length).split(': ');
          assert.match(path!, where);
          assert.ok(path!.startsWith(d), 'absolute path of the file');
          assert.match(rest.join(': '), message);
          return true;
        },
      );
    });
  }

  it('refuse a missing directory and symbolic links', () => {
    assert.throws(() => loadOverrides(join(root, 'nope')), /templatesDir cannot be read \(ENOENT\)/);
    const d = dir({ 'real.txt': 'x' });
    mkdirSync(join(d, 'de'));
    symlinkSync(join(d, 'real.txt'), join(d, 'de', 'expired.txt'));
    rmSync(join(d, 'real.txt'));
    writeFileSync(join(root, 'target.txt'), 'x');
    rmSync(join(d, 'de', 'expired.txt'));
    symlinkSync(join(root, 'target.txt'), join(d, 'de', 'expired.txt'));
    assert.throws(() => loadOverrides(d), /symbolic links are not followed/);
  });

  it('engineFromConfig reads notifications.* (templatesDir relative to the config file)', () => {
    const d = dir({ 'tpl/it/expired.subject': 'Scaduto: {{subject}}' });
    const config = parseConfigText(
      [
        'hostname: gw.example.test',
        'internalDomains: [example.test]',
        'smtp: { listeners: [ { name: main, listen: "127.0.0.1:2525" } ] }',
        'relay: { outbound: "smtp://127.0.0.1:1", inbound: "smtp://127.0.0.1:2" }',
        'notifications: { locale: it, templatesDir: tpl, timeZone: Europe/Rome, branding: acme, brandings: { acme: { organisation: ACME } } }',
        'profiles: { default: {}, tokyo: { portal: { locale: ja } } }',
      ].join('\n'),
    );
    const e = engineFromConfig(config, d);
    assert.equal(e.render({ type: 'expired', vars: VARS.expired }).subject, 'Scaduto: Q3 figures');
    assert.equal(e.resolveLocale(undefined, 'tokyo'), 'ja');
    assert.equal(e.brandingFor().organisation, 'ACME');
    assert.throws(() => engineFromConfig({ ...config, notifications: { ...config.notifications, templatesDir: 'missing' } }, d), /missing: notifications\.templatesDir cannot be read/);
  });

  it('the config refuses a branding nobody defined, a bad colour and a non-web logo', () => {
    const head = 'hostname: gw.example.test\ninternalDomains: [example.test]\nsmtp: { listeners: [ { name: main, listen: "127.0.0.1:2525" } ] }\nrelay: { outbound: "smtp://127.0.0.1:1", inbound: "smtp://127.0.0.1:2" }\n';
    assert.throws(() => parseConfigText(`${head}notifications: { branding: nope }\n`), /notifications\.branding: no branding named "nope"/);
    assert.throws(() => parseConfigText(`${head}notifications: { brandings: { a: { organisation: A, colour: "red;background:url(x)" } } }\n`), /hex colour/);
    assert.throws(() => parseConfigText(`${head}notifications: { brandings: { a: { organisation: A, logoUrl: "javascript:alert(1)" } } }\n`), /logoUrl/);
    assert.throws(() => parseConfigText(`${head}notifications: { timeZone: Mars/Olympus }\n`), /IANA time zone/);
  });
});
