import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfigText } from '../config/index.js';
import { pdfSetupWarnings } from './options.js';

const base = 'hostname: gw.example.test\ninternalDomains: [example.test]\n';

test('start-up warnings: missing fonts and SMS directory, only when a profile uses pdf', () => {
  const config = parseConfigText(`${base}pdf: { fonts: [{ file: /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf }, { file: /nonexistent/cjk.ttc }] }\nsms: { directory: /nonexistent/numbers.csv, webhook: { url: "http://127.0.0.1:9/sms" } }\nprofiles: { default: { pdf: { passwordMode: sms } } }\n`);
  const warnings = pdfSetupWarnings(config, (p) => p);
  assert.equal(warnings.length, 2, warnings.join('\n'));
  assert.match(warnings[0]!, /\/nonexistent\/cjk\.ttc unavailable \(file not found\)/);
  assert.match(warnings[1]!, /sms\.directory: \/nonexistent\/numbers\.csv does not exist; profiles default/);
  const noPdf = parseConfigText(`${base}pdf: { fonts: [{ file: /nonexistent/a.ttf }] }\nprofiles: { default: { order: [smime] } }\n`);
  assert.deepEqual(pdfSetupWarnings(noPdf, (p) => p), []);
  const none = parseConfigText(`${base}pdf: { fonts: [{ file: /nonexistent/a.ttf }] }\n`);
  assert.match(pdfSetupWarnings(none, (p) => p)[0]!, /none of the configured fonts could be loaded.*PDF messages will be deferred/);
});

test('config: static needs a password, sms needs a webhook, passwords are bounded', () => {
  assert.throws(() => parseConfigText(`${base}profiles: { default: { pdf: { passwordMode: static } } }\n`), /passwordMode static needs a password/);
  assert.throws(() => parseConfigText(`${base}profiles: { default: { pdf: { passwordMode: sms } } }\n`), /passwordMode sms needs an SMS provider/);
  assert.throws(() => parseConfigText(`${base}profiles: { default: { pdf: { passwordMode: static, password: "${'x'.repeat(128)}" } } }\n`), /at most 127 bytes/);
  assert.throws(() => parseConfigText(`${base}profiles: { default: { pdf: { fileName: "../x.exe" } } }\n`), /ending in \.pdf/);
});
