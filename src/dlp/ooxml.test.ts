import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pullText, sharedStrings, sheetText } from './ooxml.js';

const WORD = { text: new Set(['w:t', 'w:delText']), lines: new Set(['w:p', 'w:br']), tabs: new Set(['w:tab']) };

test('DOCX runs: text of w:t and tracked deletions, paragraphs, tabs, breaks, entities; attributes and other elements ignored', () => {
  const xml =
    '<w:document><w:body><w:p><w:r><w:t xml:space="preserve">Card </w:t></w:r><w:r><w:rPr><w:b/></w:rPr><w:t>4111 1111</w:t></w:r><w:r><w:t xml:space="preserve"> 1111 1111</w:t></w:r></w:p>' +
    '<w:p><w:r><w:t>A</w:t><w:tab/><w:t>B &amp; C&#x20;&lt;D&gt;</w:t><w:br/><w:delText>deleted 536-22-6789</w:delText></w:r><w:r><w:instrText>HYPERLINK</w:instrText></w:r></w:p></w:body></w:document>';
  assert.equal(pullText(xml, WORD), 'Card 4111 1111 1111 1111\nA\tB & C <D>\ndeleted 536-22-6789\n');
});

test('ODF: text:s is a space, text:tab a tab, spans keep their text', () => {
  const odf = { text: new Set(['text:p', 'text:span']), lines: new Set(['text:p']), tabs: new Set(['text:tab']), spaces: new Set(['text:s']) };
  assert.equal(pullText('<office:text><text:p>4111<text:s/>1111 <text:span>1111</text:span><text:tab/>x</text:p></office:text>', odf), '4111 1111 1111\tx\n');
});

test('XLSX: shared strings with rich runs, sheets with shared, inline, formula-string and number cells, empty cells', () => {
  const shared = sharedStrings('<sst><si><t>plain</t></si><si><r><rPr><b/></rPr><t>ri</t></r><r><t>ch</t></r></si><si/><si><t>a &amp; b</t></si></sst>');
  assert.deepEqual(shared, ['plain', 'rich', '', 'a & b']);
  const sheet =
    '<worksheet><sheetData><row r="1"><c r="A1" t="s"><v>1</v></c><c r="B1" t="inlineStr"><is><t>in</t></is></c><c r="C1" t="str"><f>A1&amp;B1</f><v>richin</v></c><c r="D1"><v>4111111111111111</v></c></row>' +
    '<row r="2"><c r="A2" s="1"/><c r="B2" t="s"><v>3</v></c><c r="C2" t="s"><v>99</v></c></row></sheetData></worksheet>';
  assert.equal(sheetText(sheet, shared), 'rich\tin\trichin\t4111111111111111\n\ta & b\t');
});

test('hostile markup: unclosed tags, stray brackets and deep nesting stay linear and never throw', () => {
  const t0 = performance.now();
  pullText('<w:t>'.repeat(200_000) + 'x', WORD);
  pullText('<'.repeat(500_000), WORD);
  pullText('<w:t a="' + '>'.repeat(500_000), WORD);
  sheetText('<c t="s"><v>'.repeat(100_000), []);
  sharedStrings('<si>'.repeat(200_000));
  assert.ok(performance.now() - t0 < 8000, `took ${performance.now() - t0} ms`); // quadratic would take minutes
});
