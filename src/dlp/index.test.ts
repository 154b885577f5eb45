import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { zipSync, strToU8 } from 'fflate';
import { compose, deeplyNested, encryptPdf, fixture, manyPartMessage, pdftotext, pdfWithText, smimeWithOpenssl, tgzWithCli, uuencodeWithPython, zeroBombZip, zip64FromStdin, zipWithCli } from '../../test/fixtures/dlp/generate.js';
import { dlpSchema } from '../config/dlp-schema.js';
import { detect, dlpConditionHolds, indexContent, type ContentIndex, type DlpLimits } from './index.js';

const config = dlpSchema.parse({});
const LIMITS: DlpLimits = config.limits;
const limits = (over: Partial<DlpLimits>): DlpLimits => ({ ...LIMITS, ...over });

function textAt(index: ContentIndex, path: string): string {
  return index.texts
    .filter((t) => t.path === path)
    .map((t) => t.text)
    .join('\n');
}

function cards(index: ContentIndex): readonly string[] {
  return detect(index, 'credit-card', config).matches;
}

describe('indexContent: MIME tree', () => {
  it('splits header, subject, text and HTML bodies, and decodes encoded words and charsets', async () => {
    const raw = await compose({
      subject: 'Rechnung für Müller – Karte 4111 1111 1111 1111',
      text: 'Grüße, IBAN DE89 3704 0044 0532 0130 00',
      html: '<h1>Card</h1><p>5555&nbsp;5555&nbsp;5555&nbsp;4444</p><a href="mailto:c@example.org">mail</a>',
    });
    assert.match(raw.toString('latin1'), /=\?UTF-8\?/i, 'the composer encoded the subject');
    const index = await indexContent(raw, LIMITS);
    assert.equal(index.texts.find((t) => t.where === 'subject')?.text, 'Rechnung für Müller – Karte 4111 1111 1111 1111');
    assert.match(index.texts.find((t) => t.where === 'header')!.text, /^From: alice@example\.test$/m);
    const bodies = index.texts.filter((t) => t.where === 'body');
    assert.deepEqual(bodies.map((t) => t.path), ['1', '2']);
    assert.match(bodies[0]!.text, /Grüße, IBAN DE89/);
    assert.match(bodies[1]!.text, /Card/, 'headings keep their case');
    assert.match(bodies[1]!.text, /c@example\.org/, 'link targets are scanned');
    assert.deepEqual(cards(index), ['4111 **** **** 1111', '5555 **** **** 4444']);
    assert.deepEqual(detect(index, 'iban', config).matches, ['DE89 **** **** **** **30 00']);
    assert.deepEqual(index.unscannable, []);
  });

  it('reads quoted-printable latin-1 and base64 windows-1252 bodies', async () => {
    const qp = Buffer.from('K=FCndigung, SSN 536-22-6789 f=\r\n=FCr M=FCller\r\n', 'latin1');
    const raw = Buffer.concat([
      Buffer.from('From: a@example.test\r\nSubject: x\r\nContent-Type: multipart/mixed; boundary="=_b"\r\n\r\n--=_b\r\nContent-Type: text/plain; charset=ISO-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n'),
      qp,
      Buffer.from(`--=_b\r\nContent-Type: text/plain; charset="windows-1252"\r\nContent-Transfer-Encoding: base64\r\n\r\n${Buffer.from('\x93quoted\x94 \x80 5', 'latin1').toString('base64')}\r\n--=_b--\r\n`),
    ]);
    const index = await indexContent(raw, LIMITS);
    assert.equal(textAt(index, '1'), 'Kündigung, SSN 536-22-6789 für Müller', 'the last line break belongs to the delimiter');
    assert.equal(textAt(index, '2'), '“quoted” € 5');
    assert.deepEqual(detect(index, 'us-ssn', config).matches, ['***-**-6789']);
  });

  it('scans text-like attachments (txt, csv, html, xml, json) as attachment text and lists them', async () => {
    const raw = await compose({
      text: 'see attachments',
      attachments: [
        { filename: 'list.csv', content: 'name,card\nA,4012888888881881\n' },
        { filename: 'page.html', content: '<html><body><b>routing number</b> 021000021</body></html>' },
        { filename: 'data.json', content: '{"iban":"GB82WEST12345698765432"}' },
        { filename: 'a.xml', content: '<r><ssn>536-22-6789</ssn></r>' },
        { filename: 'notes.txt', content: 'TOP SECRET' },
        { filename: 'logo.png', content: randomBytes(64) },
      ],
    });
    const index = await indexContent(raw, LIMITS);
    assert.deepEqual(index.attachments.map((a) => [a.path, a.name, a.contentType]), [
      ['2', 'list.csv', 'text/csv'],
      ['3', 'page.html', 'text/html'],
      ['4', 'data.json', 'application/json'],
      ['5', 'a.xml', 'application/xml'],
      ['6', 'notes.txt', 'text/plain'],
      ['7', 'logo.png', 'image/png'],
    ]);
    assert.ok(index.texts.filter((t) => t.where === 'attachment').length === 5, 'the image is listed, not scanned');
    assert.deepEqual(cards(index), ['4012 **** **** 1881']);
    assert.equal(detect(index, 'aba-routing', config).count, 1);
    assert.equal(detect(index, 'iban', config).count, 1);
    assert.equal(detect(index, 'us-ssn', config).count, 1);
    assert.deepEqual(index.unscannable, [], 'an image is not "unscannable": there is nothing to scan');
  });

  it('finds a card in a ZIP inside a message/rfc822 inside a multipart', async () => {
    const zip = zipWithCli({ 'cards.csv': 'holder,number\nBob,3530 1113 3330 0000\n', 'readme.txt': 'nothing here' });
    const inner = await compose({ subject: 'inner', text: 'forwarded', attachments: [{ filename: 'export.zip', content: zip }] });
    const outer = await compose({ subject: 'fwd', text: 'see the attached message', attachments: [{ filename: 'fwd.eml', content: inner, contentType: 'message/rfc822' }] });
    const index = await indexContent(outer, LIMITS);
    const member = index.attachments.find((a) => a.name === 'cards.csv');
    assert.ok(member, JSON.stringify(index.attachments));
    assert.equal(member.path, '2.2!cards.csv');
    assert.equal(member.contentType, 'text/csv');
    assert.deepEqual(cards(index), ['3530 **** **** 0000']);
    // everything in the forwarded message is attachment text, its subject included
    assert.ok(index.texts.some((t) => t.where === 'attachment' && t.path === '2' && t.text === 'inner'));
    assert.equal(index.texts.filter((t) => t.where === 'subject').length, 1);
    assert.equal(detect(index, 'credit-card', { ...config, detectors: {} }).unscannable.length, 0);
  });

  it('follows multipart/digest (default type message/rfc822), gzip and tar', async () => {
    const digest = Buffer.from('From: a@example.test\r\nContent-Type: multipart/digest; boundary=d\r\n\r\n--d\r\n\r\nSubject: one\r\n\r\ncard 6011111111111117\r\n--d--\r\n');
    assert.deepEqual(cards(await indexContent(digest, LIMITS)), ['6011 **** **** 1117']);
    const tgz = tgzWithCli({ 'a.txt': 'card 378282246310005', 'b.csv': 'x' });
    const raw = await compose({ text: '.', attachments: [{ filename: 'backup.tgz', content: tgz }] });
    const index = await indexContent(raw, LIMITS);
    assert.deepEqual(cards(index), ['3782 **** *** 0005']);
    assert.ok(index.attachments.some((a) => a.path === '2!backup.tar!a.txt'), JSON.stringify(index.attachments));
  });

  it('reads ZIP64 archives (Info-ZIP, from a stream)', async () => {
    const zip = zip64FromStdin('IBAN CH93 0076 2011 6238 5295 7\n');
    assert.ok(zip.includes(Buffer.from([0x50, 0x4b, 0x06, 0x06])), 'the archive has a ZIP64 end record');
    const index = await indexContent(await compose({ attachments: [{ filename: 'stream.zip', content: zip }] }), LIMITS);
    assert.deepEqual(index.unscannable, []);
    assert.deepEqual(detect(index, 'iban', config).matches, ['CH93 **** **** **** *295 7']);
  });

  it('scans uuencoded files inside a text body', async () => {
    const zip = zipWithCli({ 'card.txt': 'card 6011 0009 9013 9424' });
    const body = `Here is the export:\n\n${uuencodeWithPython('export.zip', zip)}\nregards`;
    const index = await indexContent(await compose({ text: body }), LIMITS);
    assert.ok(index.attachments.some((a) => a.path === '1!export.zip!card.txt'), JSON.stringify(index.attachments));
    assert.deepEqual(cards(index), ['6011 **** **** 9424']);
  });

  it('sees through zero-width characters, full-width digits and digits of other scripts (Arabic-Indic, Devanagari)', async () => {
    const raw = await compose({ text: 'card 4111\u200b1111\u200b1111\u200b1111 and ５５５５５５５５５５５５４４４４ and ٣٧٨٢ ٨٢٢٤٦٣ ١٠٠٠٥ and ६०१११११११११११११७' });
    assert.deepEqual(cards(await indexContent(raw, LIMITS)), ['4111 **** **** 1111', '5555 **** **** 4444', '3782 **** *** 0005', '6011 **** **** 1117']);
  });
});

describe('indexContent: documents', () => {
  it('extracts PDF text (pdfkit) as pdftotext reads it', async () => {
    const pdf = await pdfWithText(['Payment details', 'IBAN GB82 WEST 1234 5698 7654 32 and card 3782 822463 10005']);
    assert.match(pdftotext(pdf), /GB82 WEST 1234 5698 7654 32/, 'the independent reader sees the text');
    const raw = await compose({ text: 'invoice attached', attachments: [{ filename: 'invoice.pdf', content: pdf }] });
    const index = await indexContent(raw, LIMITS);
    assert.match(textAt(index, '2'), /IBAN GB82 WEST 1234 5698 7654 32/);
    assert.deepEqual(detect(index, 'iban', config).matches, ['GB82 **** **** **** **54 32']);
    assert.deepEqual(cards(index), ['3782 **** *** 0005']);
  });

  it('reads a PDF encrypted with an empty user password; one needing a password is unscannable', async () => {
    const pdf = await pdfWithText(['card 4111 1111 1111 1111']);
    const ownerOnly = await indexContent(await compose({ attachments: [{ filename: 'a.pdf', content: encryptPdf(pdf, '') }] }), LIMITS);
    assert.deepEqual(cards(ownerOnly), ['4111 **** **** 1111']);
    const locked = await indexContent(await compose({ attachments: [{ filename: 'a.pdf', content: encryptPdf(pdf, 'user-secret') }] }), LIMITS);
    assert.deepEqual(cards(locked), []);
    assert.deepEqual(locked.unscannable, [{ path: '1', reason: 'encrypted PDF (password required)' }]);
  });

  it('reports a malformed PDF as unscannable without failing', async () => {
    const broken = Buffer.concat([Buffer.from('%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >>\nendobj\n'), randomBytes(2000)]);
    const truncated = (await pdfWithText(['card 4111 1111 1111 1111'])).subarray(0, 300);
    const raw = await compose({ attachments: [{ filename: 'x.pdf', content: broken }, { filename: 'y.pdf', content: truncated }] });
    const index = await indexContent(raw, LIMITS);
    assert.deepEqual(index.unscannable.map((u) => u.path), ['1', '2']);
    for (const u of index.unscannable) assert.match(u.reason, /unreadable PDF|PDF/);
  });

  it('extracts DOCX body, table, header and footer (python-docx)', async () => {
    const raw = await compose({ attachments: [{ filename: 'payments.docx', content: fixture('payments.docx') }] });
    const index = await indexContent(raw, LIMITS);
    const text = textAt(index, '1');
    assert.match(text, /Please charge card 4111 1111 1111 1111 for the renewal\./);
    assert.match(text, /Strictly confidential/, 'header');
    assert.deepEqual([...cards(index)].sort(), ['4111 **** **** 1111', '5500 **** **** 0004'], 'body and footer');
    assert.equal(detect(index, 'iban', config).count, 1);
    assert.equal(detect(index, 'us-ssn', config).count, 1);
  });

  it('extracts XLSX inline strings (openpyxl) and shared strings (XlsxWriter), one row per line', async () => {
    const raw = await compose({
      attachments: [
        { filename: 'cards.xlsx', content: fixture('cards.xlsx') },
        { filename: 'payroll.xlsx', content: fixture('shared-strings.xlsx') },
      ],
    });
    const index = await indexContent(raw, LIMITS);
    assert.match(textAt(index, '1'), /^Alice\t4111111111111111\t12\.5$/m);
    assert.match(textAt(index, '1'), /^routing number\t021000021$/m);
    assert.match(textAt(index, '2'), /^Carol\t536-22-6789\tFR14 2004 1010 0505 0001 3M02 606$/m);
    assert.deepEqual([...cards(index)].sort(), ['4111 **** **** 1111', '5500 **** **** 0004']);
    assert.equal(detect(index, 'iban', config).count, 2);
    assert.deepEqual(detect(index, 'us-ssn', config).matches, ['***-**-6789'], '078-05-1120 is burnt');
    assert.equal(detect(index, 'aba-routing', config).count, 1);
  });

  it('reads a minimal hand-built OOXML package (only [Content_Types].xml, the workbook and one sheet)', async () => {
    // The smallest package Excel opens: content types, workbook with one sheet, the sheet; no
    // relationships are needed for our reader, which keys on xl/workbook.xml and the sheet parts.
    const xlsx = zipSync({
      '[Content_Types].xml': strToU8('<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'),
      'xl/workbook.xml': strToU8('<workbook><sheets><sheet name="S" sheetId="1"/></sheets></workbook>'),
      'xl/worksheets/sheet1.xml': strToU8('<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>IBAN &amp; card</t></is></c><c r="B1" t="str"><v>NL91 ABNA 0417 1643 00</v></c></row></sheetData></worksheet>'),
    });
    const index = await indexContent(await compose({ attachments: [{ filename: 'm.xlsx', content: Buffer.from(xlsx) }] }), LIMITS);
    assert.equal(textAt(index, '1'), 'IBAN & card\tNL91 ABNA 0417 1643 00');
  });
});

describe('indexContent: hostile input stays within limits', () => {
  it('marks an encrypted ZIP entry unscannable; dlp.unscannable decides what that means', async () => {
    const zip = zipWithCli({ 'secret.txt': 'card 4111 1111 1111 1111' }, 'pw');
    const index = await indexContent(await compose({ text: 'hi', attachments: [{ filename: 's.zip', content: zip }] }), LIMITS);
    assert.deepEqual(index.unscannable, [{ path: '2!secret.txt', reason: 'encrypted archive entry' }]);
    const result = detect(index, 'credit-card', config);
    assert.equal(result.count, 0);
    assert.deepEqual(result.unscannable, ['2!secret.txt']);
    assert.equal(dlpConditionHolds(result, 1, config), true, 'default: unscannable counts as a match');
    assert.equal(dlpConditionHolds(result, 1, dlpSchema.parse({ unscannable: 'ignore' })), false);
  });

  it('marks encrypted S/MIME and OpenPGP content unscannable, but not signatures', async () => {
    const entity = 'Content-Type: text/plain\r\n\r\ncard 4111 1111 1111 1111\r\n';
    const enveloped = await indexContent(smimeWithOpenssl('encrypt', entity), LIMITS);
    assert.deepEqual(enveloped.unscannable, [{ path: '1', reason: 'encrypted or opaque-signed S/MIME content' }]);
    const signed = await indexContent(smimeWithOpenssl('sign', entity), LIMITS);
    assert.deepEqual(signed.unscannable, []);
    assert.deepEqual(cards(signed), ['4111 **** **** 1111'], 'the signed part is read');
    const armor = '-----BEGIN PGP MESSAGE-----\r\n\r\nhQEMA8x9\r\n-----END PGP MESSAGE-----\r\n';
    const pgpMime = Buffer.from(`From: a@example.test\r\nContent-Type: multipart/encrypted; protocol="application/pgp-encrypted"; boundary=p\r\n\r\n--p\r\nContent-Type: application/pgp-encrypted\r\n\r\nVersion: 1\r\n--p\r\nContent-Type: application/octet-stream; name=encrypted.asc\r\n\r\n${armor}--p--\r\n`);
    assert.deepEqual((await indexContent(pgpMime, LIMITS)).unscannable, [{ path: '2', reason: 'OpenPGP-encrypted content' }]);
    const inline = await indexContent(await compose({ text: armor }), LIMITS);
    assert.deepEqual(inline.unscannable, [{ path: '1', reason: 'OpenPGP-encrypted content' }]);
  });

  it('stops a 1 GB zip bomb early, whatever its headers say', async () => {
    const bomb = zeroBombZip();
    assert.ok(bomb.length < 2 * 1024 * 1024, `bomb is ${bomb.length} bytes`);
    for (const [declared, reason] of [
      [1 << 30, /declares 1073741824 bytes/],
      [1000, /compression ratio above 100:1/],
    ] as const) {
      const lying = declared === 1000 ? zeroBombZip(1 << 30, 1000) : bomb;
      const raw = await compose({ text: 'hi', attachments: [{ filename: 'bomb.zip', content: lying }] });
      const rss = process.memoryUsage().rss;
      const t0 = performance.now();
      const index = await indexContent(raw, LIMITS);
      const ms = performance.now() - t0;
      assert.ok(ms < 8000, `took ${ms} ms`); // generous: the suite shares 2 cores; RSS and bytesScanned are the real proof
      assert.ok(process.memoryUsage().rss - rss < 256 * 1024 * 1024, 'no gigabyte in memory');
      assert.equal(index.unscannable.length, 1);
      assert.match(index.unscannable[0]!.reason, reason);
      assert.ok(index.bytesScanned < 64 * 1024 * 1024);
    }
    // with the ratio check disabled the size budget stops it
    const index = await indexContent(await compose({ attachments: [{ filename: 'b.zip', content: zeroBombZip(1 << 30, 1000) }] }), limits({ maxRatio: 1e9, maxDecompressedBytes: 8 * 1024 * 1024 }));
    assert.match(index.unscannable[0]!.reason, /decompressed size limit \(8388608 bytes left for this message\) exceeded/);
  });

  it('finishes a 10 000-part message quickly: stopped at maxParts, or all scanned when allowed', async () => {
    const raw = manyPartMessage(10_000);
    let t0 = performance.now();
    const limited = await indexContent(raw, LIMITS);
    assert.ok(performance.now() - t0 < 5000, `took ${performance.now() - t0} ms`);
    assert.equal(limited.texts.filter((t) => t.where === 'body').length, 1000);
    assert.deepEqual(limited.unscannable, [{ path: '1001', reason: 'more than 1000 parts; this part and the rest of the message were not scanned' }]);
    t0 = performance.now();
    const all = await indexContent(raw, limits({ maxParts: 20_000 }));
    assert.ok(performance.now() - t0 < 8000, `took ${performance.now() - t0} ms`);
    assert.equal(all.texts.filter((t) => t.where === 'body').length, 10_000);
    assert.equal(textAt(all, '10000'), 'part 9999');
  });

  it('refuses nesting deeper than maxDepth', async () => {
    const index = await indexContent(deeplyNested(30, 'card 4111111111111111'), LIMITS);
    assert.deepEqual(cards(index), []);
    assert.equal(index.unscannable.length, 1);
    assert.match(index.unscannable[0]!.reason, /nesting deeper than 10/);
    assert.deepEqual(cards(await indexContent(deeplyNested(8, 'card 4111111111111111'), LIMITS)), ['4111 **** **** 1111']);
  });

  it('ends PDF extraction at the deadline, and the next PDF still works', async () => {
    const pdf = await pdfWithText(Array.from({ length: 40 }, (_, i) => `page ${i} card 4111 1111 1111 1111`));
    const raw = await compose({ attachments: [{ filename: 'a.pdf', content: pdf }] });
    const t0 = performance.now();
    const index = await indexContent(raw, limits({ maxExtractMs: 5 }));
    assert.ok(performance.now() - t0 < 4000, `took ${performance.now() - t0} ms`);
    assert.equal(index.unscannable.length, 1);
    assert.match(index.unscannable[0]!.reason, /time limit/);
    assert.deepEqual(cards(await indexContent(raw, LIMITS)), ['4111 **** **** 1111']);
  });

  it('runs PDFs of parallel messages side by side; one overrunning its deadline does not disturb the others', async () => {
    const pdf = await pdfWithText(Array.from({ length: 10 }, (_, i) => `page ${i} card 4111 1111 1111 1111`));
    const raw = await compose({ attachments: [{ filename: 'a.pdf', content: pdf }] });
    const results = await Promise.all([indexContent(raw, limits({ maxExtractMs: 2 })), ...Array.from({ length: 5 }, () => indexContent(raw, LIMITS))]);
    assert.match(results[0]!.unscannable[0]!.reason, /time limit/);
    for (const r of results.slice(1)) assert.deepEqual(cards(r), ['4111 **** **** 1111']);
  });

  it('stops converting a huge HTML body at the deadline', async () => {
    const html = '<div><span>x</span></div>'.repeat(400_000);
    const raw = Buffer.from(`From: a@example.test\r\nContent-Type: text/html\r\n\r\n${html}`);
    const t0 = performance.now();
    const index = await indexContent(raw, limits({ maxExtractMs: 20 }));
    assert.ok(performance.now() - t0 < 4000, `took ${performance.now() - t0} ms`);
    assert.match(index.unscannable[0]!.reason, /time limit/);
  });

  it('reports archive entries beyond the read cap, even when the ones before were only directories', async () => {
    const files: Record<string, Uint8Array> = {};
    for (let i = 0; i < 1500; i++) files[`d${i}/`] = new Uint8Array(0);
    files['z/cards.txt'] = strToU8('4111 1111 1111 1111');
    const index = await indexContent(await compose({ attachments: [{ filename: 'dirs.zip', content: Buffer.from(zipSync(files)) }] }), LIMITS);
    assert.deepEqual(index.unscannable, [{ path: '1', reason: 'archive has more than 1001 entries; the rest were not scanned' }]);
  });

  it('marks formats it cannot open unscannable (TNEF, RAR, legacy Office)', async () => {
    const tnef = Buffer.concat([Buffer.from([0x78, 0x9f, 0x3e, 0x22]), randomBytes(100)]);
    const rar = Buffer.concat([Buffer.from('Rar!\x1a\x07\x01\x00', 'latin1'), randomBytes(100)]);
    const ole = Buffer.concat([Buffer.from('d0cf11e0a1b11ae1', 'hex'), randomBytes(100)]);
    const raw = await compose({ attachments: [{ filename: 'winmail.dat', content: tnef }, { filename: 'a.rar', content: rar }, { filename: 'old.doc', content: ole }] });
    const index = await indexContent(raw, LIMITS);
    assert.deepEqual(index.unscannable.map((u) => u.path), ['1', '2', '3']);
  });

  it('cuts text at maxTextBytes and says so', async () => {
    const raw = await compose({ text: 'x'.repeat(5000), attachments: [{ filename: 'a.txt', content: 'card 4111 1111 1111 1111' }] });
    const index = await indexContent(raw, limits({ maxTextBytes: 1000 }));
    assert.deepEqual(cards(index), []);
    assert.match(index.unscannable[0]!.reason, /text limit \(1000 bytes\)/);
  });

  it('never throws on garbage', async () => {
    const inputs = [
      Buffer.alloc(0),
      randomBytes(10_000),
      Buffer.from('no header separator at all'),
      Buffer.from('Content-Type: multipart/mixed\r\n\r\n--x\r\ncard 4111 1111 1111 1111\r\n'),
      Buffer.from('Content-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\nContent-Type: text/plain\r\n\r\nunterminated 4111 1111 1111 1111'),
      Buffer.from('Content-Type: application/zip; name=a.zip\r\nContent-Transfer-Encoding: base64\r\n\r\nUEsDBBQAAAAIAP////8=\r\n'),
      Buffer.from('Content-Type: text/plain; charset=no-such-charset\r\nContent-Transfer-Encoding: x-unknown\r\n\r\nok'),
      Buffer.from(`Content-Type: text/html\r\n\r\n${'<div>'.repeat(50_000)}x${'<'.repeat(50_000)}`),
    ];
    for (const raw of inputs) {
      const index = await indexContent(raw, LIMITS);
      assert.ok(Array.isArray(index.texts));
    }
    // the boundary-less multipart is still scanned as text; the unterminated one is read to the end
    assert.deepEqual(cards(await indexContent(inputs[3]!, LIMITS)), ['4111 **** **** 1111']);
    assert.deepEqual(cards(await indexContent(inputs[4]!, LIMITS)), ['4111 **** **** 1111']);
    assert.match((await indexContent(inputs[5]!, LIMITS)).unscannable[0]!.reason, /not a readable ZIP/);
  });
});

describe('indexContent: mutation fuzzing', () => {
  it('never throws and never stalls on 300 mutated messages carrying ZIP, PDF, DOCX, XLSX and tar.gz', async () => {
    // deterministic (xorshift) so a failure can be replayed; a 60 s run of the same loop with
    // crypto randomness (112 000 inputs) found no throw and nothing slower than 250 ms
    let state = 0x9e3779b9;
    const rand = (n: number): number => {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      return (state >>> 0) % Math.max(1, n);
    };
    const files: [string, Buffer][] = [
      ['a.zip', zipWithCli({ 'a.txt': 'card 4111 1111 1111 1111', 'b.csv': 'x,y' })],
      ['a.pdf', await pdfWithText(['hello 4111 1111 1111 1111', 'page 2'])],
      ['a.docx', fixture('payments.docx')],
      ['a.xlsx', fixture('shared-strings.xlsx')],
      ['a.tgz', tgzWithCli({ 'a.txt': 'x' })],
    ];
    const seeds = files.map(([name, bytes]) =>
      Buffer.concat([Buffer.from(`From: a@example.test\r\nContent-Type: multipart/mixed; boundary=zz\r\n\r\n--zz\r\nContent-Type: text/html\r\n\r\n<p>x</p>\r\n--zz\r\nContent-Type: application/octet-stream; name=${name}\r\nContent-Transfer-Encoding: binary\r\n\r\n`), bytes, Buffer.from('\r\n--zz--\r\n')]),
    );
    let worst = 0;
    for (let i = 0; i < 300; i++) {
      const s = Buffer.from(seeds[i % seeds.length]!);
      let m: Buffer;
      switch (rand(4)) {
        case 0:
          for (let j = 0; j < 1 + rand(20); j++) s[rand(s.length)] = rand(256);
          m = s;
          break;
        case 1:
          m = s.subarray(0, rand(s.length));
          break;
        case 2: {
          const at = rand(s.length);
          m = Buffer.concat([s.subarray(0, at), Buffer.from(Array.from({ length: rand(200) }, () => rand(256))), s.subarray(at)]);
          break;
        }
        default: {
          const a = rand(s.length);
          const b = rand(s.length);
          m = Buffer.concat([s.subarray(0, Math.min(a, b)), s.subarray(Math.max(a, b))]);
        }
      }
      const t0 = performance.now();
      await indexContent(m, LIMITS);
      worst = Math.max(worst, performance.now() - t0);
    }
    assert.ok(worst < 8000, `slowest input took ${worst} ms`);
  });
});

describe('detect', () => {
  const custom = dlpSchema.parse({
    detectors: {
      projects: { keywords: ['Falcon'], threshold: 2 },
      ids: { regex: 'EMP-[0-9]{6}', distinct: true, threshold: 2 },
      headers: { keywords: ['X-Partner-Encrypt'], scan: ['headers'] },
    },
  });

  it('applies thresholds, distinct counting and scan areas', async () => {
    const raw = await compose({ subject: 'Falcon', text: 'Falcon notes: EMP-123456, EMP-123456', headers: { 'X-Partner-Encrypt': 'yes' } });
    const index = await indexContent(raw, LIMITS);
    assert.deepEqual(detect(index, 'projects', custom), { detector: 'projects', count: 2, found: 2, matches: ['Falcon'], threshold: 2, hit: true, unscannable: [] });
    const ids = detect(index, 'ids', custom);
    assert.equal(ids.found, 1);
    assert.equal(ids.count, 0, 'one distinct id is below the threshold of 2');
    assert.equal(ids.hit, false);
    assert.deepEqual(ids.matches, ['EM******56']);
    assert.equal(detect(index, 'headers', custom).count, 1);
    assert.equal(detect(index, 'email-addresses', custom).count, 0, 'header addresses are not counted');
    const inHeaders = detect(index, 'email-addresses', custom, ['headers']);
    assert.ok(['a***@example.test', 'b***@partner.example'].every((m) => inHeaders.matches.includes(m)), `unless asked for: From and To (and the Message-ID): ${inHeaders.matches.join(', ')}`);
  });

  it('counts a keyword in text and HTML alternatives once, not twice', async () => {
    const raw = await compose({ text: 'Falcon update', html: '<p>Falcon update</p>' });
    const index = await indexContent(raw, LIMITS);
    assert.deepEqual(index.texts.filter((t) => t.where === 'body').map((t) => t.alternative), [{ group: '', branch: 0 }, { group: '', branch: 1 }]);
    assert.equal(detect(index, 'projects', custom).found, 1);
    const twice = await indexContent(await compose({ text: 'Falcon update', html: '<p>Falcon and Falcon</p>' }), LIMITS);
    assert.equal(detect(twice, 'projects', custom).count, 2, 'the larger alternative counts');
  });

  it('counts distinct e-mail addresses', async () => {
    const list = Array.from({ length: 30 }, (_, i) => `user${i}@example.com`).join(', ');
    const index = await indexContent(await compose({ text: `${list}, USER1@example.com` }), LIMITS);
    const r = detect(index, 'email-addresses', config);
    assert.equal(r.count, 30);
    assert.equal(r.matches.length, 20, 'at most 20 listed');
  });

  it('scans each text once per detector, also through narrowed copies of the index', async () => {
    const index = await indexContent(await compose({ text: 'card 4111 1111 1111 1111' }), LIMITS);
    const first = detect({ ...index, texts: index.texts.filter((t) => t.where === 'body') }, 'credit-card', config);
    // the same text objects in another narrowed copy: the hits come from the memo, equal to a fresh run
    const second = detect({ ...index, texts: [...index.texts] }, 'credit-card', config);
    assert.deepEqual(second, first);
    const big = await indexContent(await compose({ text: 'x 4111 1111 1111 1111 '.repeat(200_000) }), LIMITS);
    const t0 = performance.now();
    detect({ ...big }, 'credit-card', config);
    const cold = performance.now() - t0;
    const t1 = performance.now();
    for (let i = 0; i < 50; i++) detect({ ...big }, 'credit-card', config);
    assert.ok(performance.now() - t1 < cold, '50 narrowed re-runs cost less than one scan');
  });

  it('refuses unknown detector names with a coded error', async () => {
    const index = await indexContent(Buffer.from('Subject: x\r\n\r\nhi'), LIMITS);
    assert.throws(() => detect(index, 'nope', config), { code: 'SP_ERR_DLP_UNKNOWN_DETECTOR' });
  });
});
