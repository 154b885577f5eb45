import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Branch, MessageContext } from '../mail/context.js';
import { outcome, type Outcome } from '../mail/outcome.js';
import { Trace } from '../mail/trace.js';
import { MessageDraft } from '../mime/draft.js';
import type { MethodRegistry, ProtectionMethod } from '../select/method.js';
import { protectStep } from './protect-stage.js';

const draft = MessageDraft.parse(Buffer.from('Subject: s\r\n\r\nplaintext\r\n'));
const msg = { id: 'M', trace: new Trace(), now: Date.now } as unknown as MessageContext;
const branch: Branch = { recipients: [{ address: 'b@x.test', direction: 'outbound' }], draft, facts: { method: 'smime' } };

function withMethod(answer: Outcome): MethodRegistry {
  const method: ProtectionMethod = { name: 'smime', canServe: async () => true, protect: async () => answer };
  return new Map([['smime', method]]);
}

test('a method that does not hand back a protected draft fails the step instead of passing plaintext on', async () => {
  for (const bad of [outcome.continue(), outcome.continue(draft), outcome.queue('outbound'), outcome.goto('outbound'), outcome.drop('x')]) {
    await assert.rejects(Promise.resolve(protectStep(withMethod(bad)).action(msg, branch)), /without a protected message/, bad.kind);
  }
});

test('a protected draft, a hold or a refusal passes through', async () => {
  const sealed = draft.replace('Content-Type', 'application/pkcs7-mime');
  const ok = await protectStep(withMethod(outcome.continue(sealed))).action(msg, branch);
  assert.equal(ok.kind === 'continue' && ok.draft, sealed);
  assert.equal((await protectStep(withMethod(outcome.defer('held'))).action(msg, branch)).kind, 'defer');
  assert.equal((await protectStep(withMethod(outcome.bounce('no', '5.7.1'))).action(msg, branch)).kind, 'bounce');
});

test('an unknown method fails the step', async () => {
  await assert.rejects(Promise.resolve(protectStep(new Map()).action(msg, branch)), /not available/);
});
