/**
 * `sealpost check` over policy mistakes: unknown condition and action names, bad options and
 * unknown DLP detectors are refused with their YAML path (and line), exit 1.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from './policy-support.js';


const BASE = 'hostname: gw.example.test\ninternalDomains: [example.test]\nsmtp:\n  listeners:\n    - { name: main, listen: "127.0.0.1:0", direction: auto }\n';

test('sealpost check names the YAML path of every policy mistake', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sealpost-check-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'sealpost.yaml');
  writeFileSync(
    file,
    `${BASE}policies:
  - name: typo-condition
    if: { subjct: { contains: x } }
    then: [ encrypt ]
  - name: typo-action
    then: [ encrpyt ]
  - name: bad-option
    then: [ { block: { replyy: no } } ]
  - name: bad-score
    score: { threshold: 1, phrases: [] }
    then: [ encrypt ]
  - name: bad-template
    then: [ { notify: { to: admin, template: hello } } ]
policy:
  suffixes: [ { suffix: secure } ]
`,
  );
  const r = await cli(['--config', file, 'check']);
  assert.equal(r.code, 1, r.stderr);
  const expect = [
    /sealpost\.yaml:\d+:\d+: policies\[0\]\.if\.subjct: unknown key "subjct"/,
    /policies\[1\]\.then\[0\]: expected one of "encrypt", .* found "encrpyt"/,
    /policies\[2\]\.then\[0\]\.block\.replyy: unknown key/,
    /policies\[3\]\.score\.phrases: /,
    /policies\[4\]\.then\[0\]\.notify\.template: expected one of/,
    /policy\.suffixes\[0\]\.suffix: a suffix looks like \.secure/,
  ];
  for (const re of expect) assert.match(r.stderr, re);

  // cross-references (detector names against dlp.detectors) are checked once the file is well-formed
  writeFileSync(file, `${BASE}policies:\n  - name: bad-detector\n    if: { any: [ { subject: { contains: x } }, { dlp: { detector: credit-cards } } ] }\n    then: [ block ]\n`);
  const detector = await cli(['--config', file, 'check', '--json']);
  assert.equal(detector.code, 1);
  const problems = JSON.parse(detector.stdout).error.problems as { path: string; line: number; message: string }[];
  assert.deepEqual(problems.map((p) => [p.path, p.line]), [['policies[0].if.any[1].dlp.detector', 8]]);
  assert.match(problems[0]!.message, /no detector named "credit-cards"/);

  writeFileSync(file, `${BASE}dlp: { detectors: { project-names: { keywords: [nightingale] } } }\npolicies:\n  - { name: ok, if: { dlp: { detector: project-names, atLeast: 2, where: [body] } }, score: { threshold: 1, phrases: [ { score: 1, text: x } ] }, then: [ { quarantine: { notify: [sender, admin] } } ] }\n`);
  const ok = await cli(['--config', file, 'check']);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /OK \(1 listener\(s\), 1 policy\)/);
});
