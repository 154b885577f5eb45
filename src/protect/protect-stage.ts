/**
 * protect/ — applies the method select chose (sign, encrypt, pdf, portal) to a branch.
 * SECURITY: a branch whose method is unknown or fails is never sent on: the step throws and its
 * onError policy defers or quarantines it. Protected drafts replace the plaintext one.
 */
import { outcome } from '../mail/outcome.js';
import type { Step } from '../mail/step.js';
import type { MethodRegistry } from '../select/method.js';

export function protectStep(methods: MethodRegistry): Step {
  return {
    name: 'protect',
    securityCritical: true,
    match: (_msg, branch) => (branch.facts.method && branch.facts.method !== 'none' ? branch.recipients : []),
    action: async (msg, branch) => {
      const name = branch.facts.method as Parameters<MethodRegistry['get']>[0];
      if (name === 'tls') {
        // Plaintext may pass only because the queue item will demand a verified TLS session.
        if (branch.facts.tlsInstead?.mode !== 'required') throw new Error('method tls without a verified-TLS requirement');
        return outcome.continue();
      }
      // preferred: keep the plaintext for a verified session; the protected draft is the fallback
      if (branch.facts.tlsInstead?.mode === 'preferred') branch.facts.tlsInstead.plaintext = branch.draft.toBuffer();
      const method = methods.get(name);
      if (!method) throw new Error(`method ${name} is not available`);
      const result = await method.protect(msg, branch);
      // Only a protected draft, or a hold/refusal, may leave this step: a method that answers
      // "continue" without a new draft (or queues/jumps) would send the plaintext on.
      if (result.kind === 'continue' && result.draft && result.draft !== branch.draft) return outcome.continue(result.draft);
      if (result.kind === 'defer' || result.kind === 'bounce' || result.kind === 'quarantine') return result;
      throw new Error(`method ${name} returned ${result.kind} without a protected message`);
    },
  };
}
