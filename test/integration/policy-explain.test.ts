/**
 * `sealpost policy explain FILE.eml --from A --to B [--json]`: per recipient the action, method,
 * every rule evaluated (matched or not, with its score), the deciding rule and level (DESIGN §3).
 * Runs from source against a config on disk; nothing is stored or sent.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from './policy-support.js';

const CONFIG = `hostname: gw.example.test
internalDomains: [example.test]
storage: { url: "sqlite:./data/sealpost.db" }
smtp:
  listeners:
    - { name: main, listen: "127.0.0.1:0", direction: auto }
profiles: { default: { order: [smime] } }
policy: { suffixes: [ { suffix: .secure } ] }
policies:
  - name: ceo-never
    scope: { user: ceo@example.test }
    then: [ noEncrypt ]
  - name: finance
    scope: { domain: example.test }
    score: { threshold: 2, phrases: [ { score: 1, text: invoice }, { score: 1, text: payment }, { score: -5, text: "x-sealpost-processed" } ] }
    then: [ { encrypt: { mandatory: false } } ]
  - name: cards
    if: { dlp: { detector: credit-card } }
    then: [ { block: { reply: "No card numbers by mail" } } ]
  - name: partner
    if: { toDomain: { equals: partner.test } }
    then: [ encrypt ]
`;

test('policy explain: action, method, every rule with match and score, deciding rule and level; --json in the contract shape', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sealpost-explain-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'sealpost.yaml'), CONFIG);
  writeFileSync(join(dir, 'm.eml'), 'From: alice@example.test\r\nTo: bob@partner.test\r\nSubject: Invoice and payment\r\n\r\nplease pay\r\n');
  const args = ['--config', join(dir, 'sealpost.yaml'), 'policy', 'explain', join(dir, 'm.eml'), '--from', 'alice@example.test', '--to', 'bob@partner.test', '--to', 'carol@example.test', '--to', 'dan@other.test.secure'];
  const r = await cli([...args, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const data = JSON.parse(r.stdout) as { recipients: { address: string; direction: string; action: string; method: string | null; decidedBy: { rule: string; level: string } | null; rules: { rule: string; level: string; matched: boolean; score?: number; note?: string }[]; trace: { stage: string; event: string; at: string }[]; deliverTo?: string }[] };
  const [bob, carol, dan] = data.recipients;
  assert.deepEqual(Object.keys(bob!).filter((k) => ['address', 'direction', 'action', 'method', 'decidedBy', 'rules', 'trace'].includes(k)).sort(), ['action', 'address', 'decidedBy', 'direction', 'method', 'rules', 'trace']);
  assert.equal(bob!.address, 'bob@partner.test');
  assert.equal(bob!.direction, 'outbound');
  assert.equal(bob!.action, 'deliver', 'the domain rule decided first (opportunistic): without a certificate it goes as is');
  assert.deepEqual(bob!.decidedBy, { rule: 'finance', level: 'domain' }, 'the domain rule comes before the gateway rule');
  assert.deepEqual(bob!.rules.map((x) => [x.rule, x.level, x.matched, x.score ?? null]), [
    ['ceo-never', 'user', false, null],
    ['finance', 'domain', true, 2],
    ['cards', 'gateway', false, null],
    ['partner', 'gateway', true, null],
  ]);
  assert.equal(bob!.rules[0]!.note, 'out of scope');
  assert.match(bob!.trace[0]!.at, /^\d{4}-\d\d-\d\dT/);
  assert.equal(carol!.direction, 'inbound');
  assert.deepEqual(carol!.rules, [], 'no inbound rules');
  assert.equal(carol!.action, 'deliver');
  assert.equal(dan!.address, 'dan@other.test.secure');
  assert.equal(dan!.deliverTo, 'dan@other.test');
  assert.deepEqual(dan!.decidedBy, { rule: 'suffix .secure', level: 'gateway' });

  writeFileSync(join(dir, 'card.eml'), 'From: ceo@example.test\r\nSubject: hi\r\n\r\ncard 4111 1111 1111 1111\r\n');
  const human = await cli(['--config', join(dir, 'sealpost.yaml'), 'policy', 'explain', join(dir, 'card.eml'), '--from', 'ceo@example.test', '--to', 'bob@partner.test']);
  assert.equal(human.code, 0, human.stderr);
  assert.match(human.stdout, /^bob@partner\.test \(outbound\): block — decided by cards \(gateway\)$/m);
  assert.match(human.stdout, /reason: No card numbers by mail/);
  assert.match(human.stdout, /matched\s+ceo-never \(user\)/);
  assert.match(human.stdout, /not matched finance \(domain\) score 0/);
  assert.match(human.stdout, /matched\s+cards \(gateway\) — dlp credit-card: 1 hit\(s\) 4111 \*{4} \*{4} 1111/);

  const missing = await cli(['--config', join(dir, 'sealpost.yaml'), 'policy', 'explain', join(dir, 'nope.eml'), '--from', 'a@example.test', '--to', 'b@x.test', '--json']);
  assert.equal(missing.code, 1);
  assert.equal(JSON.parse(missing.stdout).error.code, 'SP_ERR_CLI_USAGE');
});
