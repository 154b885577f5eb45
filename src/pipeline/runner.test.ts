import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EnvelopeRecipient } from '../mail/envelope.js';
import type { MessageContext } from '../mail/context.js';
import { outcome } from '../mail/outcome.js';
import type { Processor } from '../mail/step.js';
import { Trace } from '../mail/trace.js';
import { MessageDraft } from '../mime/draft.js';
import { runPipeline, type RunOptions } from './runner.js';

const rcpts: EnvelopeRecipient[] = [
  { address: 'a@in.test', direction: 'inbound' },
  { address: 'b@out.test', direction: 'outbound' },
  { address: 'c@out.test', direction: 'outbound' },
];

function message(): MessageContext {
  return {
    id: 'M1',
    envelope: { mailFrom: 's@in.test', recipients: rcpts },
    session: { listener: 'main', remoteAddress: '127.0.0.1', helo: 'x', tls: null, authUser: null, mayRelay: true, receivedAt: 0 },
    original: MessageDraft.parse(Buffer.from('Subject: hi\r\n\r\nbody\r\n')),
    receivedAt: 0,
    attempts: 0,
    trace: new Trace(),
    now: Date.now,
    facts: { processedMarker: null, encrypted: null, signed: null, autoSubmitted: false, notification: null, hops: 1 },
  };
}

function options(processors: Processor[], extra: Partial<RunOptions> = {}): RunOptions {
  return { processors: new Map(processors.map((p) => [p.name, p])), start: 'root', stepTimeoutMs: 200, maxAttempts: 3, previousFailures: 0, ...extra };
}

test('a partial match splits the branch and every recipient ends in one terminal state', async () => {
  const root: Processor = {
    name: 'root',
    steps: [
      { name: 'to-inbound', match: (_m, b) => b.recipients.filter((r) => r.direction === 'inbound'), action: () => outcome.goto('inbound') },
      { name: 'tag', action: (_m, b) => outcome.continue(b.draft.append('X-Out', 'yes')) },
      { name: 'queue', action: () => outcome.queue('outbound') },
    ],
  };
  const inbound: Processor = { name: 'inbound', steps: [{ name: 'queue', action: () => outcome.queue('inbound') }] };
  const msg = message();
  const done = await runPipeline(msg, rcpts, options([root, inbound]));
  const byRoute = Object.fromEntries(done.map((d) => [d.outcome.kind === 'queue' ? d.outcome.route : '?', d]));
  assert.deepEqual(byRoute.inbound!.recipients.map((r) => r.address), ['a@in.test']);
  assert.deepEqual(byRoute.outbound!.recipients.map((r) => r.address), ['b@out.test', 'c@out.test']);
  assert.equal(byRoute.outbound!.draft.get('X-Out'), 'yes');
  assert.equal(byRoute.inbound!.draft.get('X-Out'), undefined, 'branches share the original, not each other\'s edits');
  assert.ok(msg.trace.entries.some((e) => e.event === 'split'));
});

test('a throwing step defers, and quarantines once maxAttempts is reached', async () => {
  const root: Processor = { name: 'root', steps: [{ name: 'boom', action: () => { throw new Error('kaput'); } }, { name: 'q', action: () => outcome.queue('outbound') }] };
  const first = await runPipeline(message(), rcpts, options([root]));
  assert.equal(first[0]!.outcome.kind, 'defer');
  const last = await runPipeline(message(), rcpts, options([root], { previousFailures: 2 }));
  assert.equal(last[0]!.outcome.kind, 'quarantine');
});

test('a security-critical step cannot be skipped on error and a timeout counts as an error', async () => {
  const root: Processor = {
    name: 'root',
    steps: [
      { name: 'slow', securityCritical: true, onError: 'skip', timeoutMs: 20, action: () => new Promise(() => {}) },
      { name: 'q', action: () => outcome.queue('outbound') },
    ],
  };
  const done = await runPipeline(message(), rcpts, options([root]));
  assert.equal(done[0]!.outcome.kind, 'defer');
  assert.match((done[0]!.outcome as { reason: string }).reason, /exceeded 20 ms/);
});

test('a failing matcher applies the step\'s error policy instead of skipping the step', async () => {
  const root: Processor = {
    name: 'root',
    steps: [
      { name: 'guard', match: () => { throw new Error('cannot decide'); }, action: () => outcome.bounce('x', '5.7.1') },
      { name: 'q', action: () => outcome.queue('outbound') },
    ],
  };
  const done = await runPipeline(message(), rcpts, options([root]));
  assert.equal(done.length, 1);
  assert.equal(done[0]!.outcome.kind, 'defer');
});

test('falling off the end of a processor quarantines instead of delivering', async () => {
  const root: Processor = { name: 'root', steps: [{ name: 'noop', action: () => outcome.continue() }] };
  const done = await runPipeline(message(), rcpts, options([root]));
  assert.equal(done[0]!.outcome.kind, 'quarantine');
});

test('an unknown goto target quarantines, a goto cycle is cut', async () => {
  const bad: Processor = { name: 'root', steps: [{ name: 'go', action: () => outcome.goto('nowhere') }] };
  assert.equal((await runPipeline(message(), rcpts, options([bad])))[0]!.outcome.kind, 'quarantine');
  const loop: Processor = { name: 'root', steps: [{ name: 'go', action: () => outcome.goto('root') }] };
  await assert.rejects(runPipeline(message(), rcpts, options([loop])), /step limit/);
});

test('notices emitted by steps are committed once with their branch, and not for a deferred branch', async () => {
  const { buildCommit } = await import('./commit-builder.js');
  const { emitNotice } = await import('../mail/context.js');
  const note = (key: string, to: string) => ({ key, recipient: to, direction: 'outbound' as const, bytes: Buffer.from(`Subject: ${key}\r\n\r\nx\r\n`) });
  const root: Processor = {
    name: 'root',
    steps: [
      { name: 'shared', action: (_m, b) => (emitNotice(b, note('pw:s@in.test', 's@in.test')), outcome.continue()) },
      { name: 'defer-c', match: (_m, b) => b.recipients.filter((r) => r.address === 'c@out.test'), action: (_m, b) => (emitNotice(b, note('only-c', 's@in.test')), outcome.defer('later')) },
      { name: 'queue', action: () => outcome.queue('outbound') },
    ],
  };
  const msg = message();
  const done = await runPipeline(msg, rcpts, options([root]));
  const commit = buildCommit(msg, done, { giveUpAfterMs: 1000, notifier: { forBounce: () => null }, deferMs: () => 1000 }, 0);
  const notices = commit.items.filter((i) => i.kind === 'notice');
  assert.equal(notices.length, 1, 'the shared key is sent once; the deferred branch sends nothing yet');
  assert.equal(notices[0]!.recipient, 's@in.test');
  assert.ok(commit.bodies.some((b) => b.bytes.toString().startsWith('Subject: pw:s@in.test')));
  assert.ok(Buffer.isBuffer(commit.bodies[0]!.bytes));
  assert.notEqual(commit.deferral, null);
});

test('a notice queued by an earlier run (recorded in the kept trace) is not queued again when a deferred branch re-runs', async () => {
  const { buildCommit } = await import('./commit-builder.js');
  const { emitNotice } = await import('../mail/context.js');
  const root: Processor = { name: 'root', steps: [{ name: 'notice', action: (_m, b) => (emitNotice(b, { key: 'quarantined:s@in.test', recipient: 's@in.test', direction: 'inbound', bytes: Buffer.from('x') }), outcome.queue('outbound')) }] };
  const options2 = { giveUpAfterMs: 1000, notifier: { forBounce: () => null }, deferMs: () => 1000 };
  const first = message();
  const commit1 = buildCommit(first, await runPipeline(first, rcpts, options([root])), options2, 0);
  assert.equal(commit1.items.filter((i) => i.kind === 'notice').length, 1);
  assert.ok(commit1.trace.some((e) => e.event === 'notice-queued' && e.detail === 'quarantined:s@in.test'), 'recorded in the trace the spool keeps');
  const rerun = message();
  rerun.trace.entries.push(...commit1.trace);
  const commit2 = buildCommit(rerun, await runPipeline(rerun, rcpts, options([root])), options2, 0);
  assert.equal(commit2.items.filter((i) => i.kind === 'notice').length, 0, 'not sent twice');
});
