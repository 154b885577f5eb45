/**
 * The shipped processors, assembled from stages as data. Every recipient starts in `root`, is
 * classified, and goes to the processor of its direction.
 *
 *   root:              classify → inbound | outbound
 *   outbound:          policy (peel off groups) → outbound-protect
 *   outbound-protect:  select (peel off groups) → protect → finalize → queue(outbound)
 *   inbound:           unwrap (S/MIME decrypt + verify) → inbound-policy
 *   inbound-policy:    policy (inbound rules, peel off groups) → inbound-finalize
 *   inbound-finalize:  finalize → queue(inbound)
 * A policy quarantine is released into the processor after the policy (outbound-protect or
 * inbound-finalize), with the saved decision: see quarantine/resume.ts.
 */
import type { Rule } from '../config/policy-schema.js';
import type { ProfileConfig } from '../config/schema.js';
import { classifyStep } from '../classify/classify-stage.js';
import { outcome } from '../mail/outcome.js';
import type { Processor, Step } from '../mail/step.js';
import { ContentCache } from '../policy/content.js';
import { policySteps, type PolicyStageOptions } from '../policy/policy-stage.js';
import { finalizeStep } from '../protect/finalize-stage.js';
import { protectStep } from '../protect/protect-stage.js';
import type { MethodRegistry } from '../select/method.js';
import { selectSteps } from '../select/select-stage.js';

export interface ProcessorOptions {
  readonly secret: Buffer;
  readonly node: string;
  readonly hostname: string;
  readonly rules: readonly Rule[];
  readonly profiles: Readonly<Record<string, ProfileConfig>>;
  readonly methods: MethodRegistry;
  /** inbound steps before policy: decrypt and verify (unwrap/) */
  readonly unwrap?: readonly Step[];
  /** the policy stage's DLP engine, suffix routes, notifier and admin address */
  readonly policy?: Pick<PolicyStageOptions, 'scanner' | 'suffixes' | 'notifier' | 'admin'>;
}

export const START_PROCESSOR = 'root';

export function buildProcessors(options: ProcessorOptions): Map<string, Processor> {
  const finalize = { secret: options.secret, node: options.node, hostname: options.hostname };
  // one content index per draft, shared by the outbound and inbound policy stages
  const policy = { ...options.policy, content: new ContentCache(options.policy?.scanner ?? null) };
  const processors: Processor[] = [
    {
      name: 'root',
      steps: [
        classifyStep({ secret: options.secret }),
        { name: 'to-inbound', match: (_m, b) => b.recipients.filter((r) => r.direction === 'inbound'), action: () => outcome.goto('inbound') },
        { name: 'to-outbound', action: () => outcome.goto('outbound') },
      ],
    },
    {
      name: 'outbound',
      steps: [...policySteps({ ...policy, rules: options.rules, restartProcessor: 'outbound', resumeProcessor: 'outbound-protect' }), { name: 'to-protect', action: () => outcome.goto('outbound-protect') }],
    },
    {
      name: 'outbound-protect',
      steps: [...selectSteps({ methods: options.methods, profiles: options.profiles, restartProcessor: 'outbound-protect' }), protectStep(options.methods), finalizeStep('outbound', finalize)],
    },
    {
      name: 'inbound',
      steps: [...(options.unwrap ?? []), { name: 'to-inbound-policy', action: () => outcome.goto('inbound-policy') }],
    },
    {
      name: 'inbound-policy',
      steps: [...policySteps({ ...policy, rules: options.rules, restartProcessor: 'inbound-policy', resumeProcessor: 'inbound-finalize' }), { name: 'to-finalize', action: () => outcome.goto('inbound-finalize') }],
    },
    {
      // its own processor so a released quarantine entry can resume here, after the policy
      name: 'inbound-finalize',
      steps: [finalizeStep('inbound', finalize)],
    },
  ];
  return new Map(processors.map((p) => [p.name, p]));
}
