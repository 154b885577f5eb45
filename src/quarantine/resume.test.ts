import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildCommit } from '../pipeline/commit-builder.js';
import { buildProcessors, START_PROCESSOR } from '../pipeline/processors.js';
import { runPipeline } from '../pipeline/runner.js';
import { rules, message, inb, out } from '../policy/test-support.test-util.js';
import { resumeProcessors } from './resume.js';
import { MessageDraft } from '../mime/draft.js';
import type { MessageContext } from '../mail/context.js';
import { Trace } from '../mail/trace.js';

const secret = Buffer.alloc(32, 1);
const processors = buildProcessors({
  secret,
  node: 'gw',
  hostname: 'gw.example.test',
  profiles: {},
  methods: new Map(),
  rules: rules(`
- { name: hold-in, direction: inbound, if: { subject: { contains: hold } }, then: [ { addHeader: { name: X-Checked, value: "yes" } }, quarantine ] }
- { name: hold-out, if: { subject: { contains: hold } }, then: [ { noEncrypt: {} }, { stripSubject: "hold" }, quarantine ] }
`),
});
const commitOptions = { giveUpAfterMs: 86_400_000, deferMs: () => 1000, notifier: { forBounce: () => null } };

test('a policy quarantine records where to resume (after the policy, per direction) and the post-edit message; release continues there', async () => {
  const msg = message('From: eve@remote.test\nSubject: please hold this\nMessage-ID: <r1@remote.test>\n\nbody\n', [inb('carol@example.test'), out('bob@partner.test')], 'alice@example.test');
  const done = await runPipeline(msg, msg.envelope.recipients, { processors, start: START_PROCESSOR, stepTimeoutMs: 5000, maxAttempts: 3, previousFailures: 0 });
  const commit = buildCommit(msg, done, commitOptions, 0);
  assert.deepEqual([...commit.settled].sort(), ['bob@partner.test', 'carol@example.test']);
  assert.equal(commit.items.length, 0);
  const byRecipient = new Map(commit.quarantine.map((q) => [q.recipients[0], q]));
  const inbound = byRecipient.get('carol@example.test')!;
  const outbound = byRecipient.get('bob@partner.test')!;
  assert.equal(inbound.release?.resume?.processor, 'inbound-finalize');
  assert.equal(outbound.release?.resume?.processor, 'outbound-protect');
  assert.deepEqual(inbound.rules, ['hold-in']);
  assert.match(inbound.resumeBody!.toString(), /X-Checked: yes/, 'the edits before the hold are in the released message');
  assert.match(outbound.resumeBody!.toString(), /^Subject: please this$/m);
  assert.equal(inbound.bytes.toString(), msg.original.toBuffer().toString(), 'the original is kept for show');

  // release of the inbound entry: it resumes at inbound-finalize and is queued, not held again
  const release = inbound.release!;
  const released: MessageContext = { ...msg, id: 'R1', envelope: release.envelope, original: MessageDraft.parse(inbound.resumeBody!), trace: new Trace(), facts: release.resume!.messageFacts };
  const run = resumeProcessors(processors, release.resume!);
  const again = await runPipeline(released, release.envelope.recipients, { processors: run.processors, start: run.start, stepTimeoutMs: 5000, maxAttempts: 3, previousFailures: 0 });
  assert.equal(again.length, 1);
  const o = again[0]!.outcome;
  assert.equal(o.kind === 'queue' ? o.route : o.kind, 'inbound');
  assert.match(again[0]!.draft.toBuffer().toString(), /^X-Sealpost-Processed: gw; inbound; /, 'finalized for delivery');
  assert.deepEqual(again[0]!.facts.rules, ['hold-in'], 'the decision came back with it');
  assert.ok(released.trace.entries.some((e) => e.event === 'resumed' && /at inbound-finalize/.test(e.detail ?? '')));

  // an unknown resume point quarantines again instead of delivering
  const lost = resumeProcessors(processors, { ...release.resume!, processor: 'gone' });
  const held = await runPipeline({ ...released, trace: new Trace() }, release.envelope.recipients, { processors: lost.processors, start: lost.start, stepTimeoutMs: 5000, maxAttempts: 3, previousFailures: 0 });
  assert.equal(held[0]!.outcome.kind, 'quarantine');
});

test('a message held by a failing step (no decision yet) is released to run from the start, with its RCPT TO addresses', async () => {
  const msg = message('Subject: x\n\nbody\n', [out('bob@partner.test')]);
  const rewritten = { address: 'bob@partner.test', direction: 'outbound' as const, addressedAs: 'bob@partner.test.secure', rewrittenBy: 'suffix .secure' };
  const commit = buildCommit(msg, [{ recipients: [rewritten], outcome: { kind: 'quarantine', reason: 'step protect failed 5 times' }, draft: msg.original, facts: {}, decidedAt: 'pipeline' }], commitOptions, 4);
  assert.deepEqual(commit.settled, ['bob@partner.test.secure'], 'the spool entry is settled by its RCPT TO');
  assert.equal(commit.quarantine[0]!.release?.resume, null);
  assert.deepEqual(commit.quarantine[0]!.release?.envelope.recipients, [{ address: 'bob@partner.test.secure', direction: 'outbound' }]);
  assert.equal(commit.quarantine[0]!.resumeBody, null);
});

test('a released message that is held again (a step fails) keeps its resume point: a second release is still protected as decided', async () => {
  const msg = message('From: eve@remote.test\nSubject: please hold this\nMessage-ID: <r3@remote.test>\n\nbody\n', [out('bob@partner.test')], 'alice@example.test');
  const done = await runPipeline(msg, msg.envelope.recipients, { processors, start: START_PROCESSOR, stepTimeoutMs: 5000, maxAttempts: 3, previousFailures: 0 });
  const first = buildCommit(msg, done, commitOptions, 0).quarantine[0]!;
  const resume = first.release!.resume!;
  // the protect stage now fails for good: the released message is quarantined once more
  const failing = new Map(processors);
  failing.set('outbound-protect', { name: 'outbound-protect', steps: [{ name: 'boom', action: () => { throw new Error('key store down'); } }] });
  const released: MessageContext = { ...msg, id: 'R3', envelope: first.release!.envelope, original: MessageDraft.parse(first.resumeBody!), trace: new Trace(), facts: resume.messageFacts };
  const run = resumeProcessors(failing, resume);
  const again = await runPipeline(released, first.release!.envelope.recipients, { processors: run.processors, start: run.start, stepTimeoutMs: 5000, maxAttempts: 1, previousFailures: 0 });
  assert.equal(again[0]!.outcome.kind, 'quarantine');
  const second = buildCommit(released, again, commitOptions, 0).quarantine[0]!;
  assert.equal(second.release?.resume?.processor, 'outbound-protect', 'still resumes after the policy, never re-decides on the edited message');
  assert.deepEqual(second.release?.resume?.facts.protection, resume.facts.protection);
});
