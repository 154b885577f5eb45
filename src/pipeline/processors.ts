/**
 * The shipped processors, assembled from stages as data. Every recipient starts in `root`, is
 * classified, and goes to the processor of its direction.
 *
 *   root:              classify → inbound | outbound
 *   outbound:          policy (peel off groups) → outbound-protect
 *   outbound-protect:  select (peel off groups) → protect → finalize → queue(outbound)
 *   inbound:           unwrap (S/MIME decrypt + verify) → inbound-policy
 *   inbound-policy:    policy (inbound rules, peel off groups) → finalize → queue(inbound)
 */
import type { Rule } from '../config/policy-schema.js';
import type { ProfileConfig } from '../config/schema.js';
import { classifyStep } from '../classify/classify-stage.js';
import { outcome } from '../mail/outcome.js';
import type { Processor, Step } from '../mail/step.js';
import { policySteps } from '../policy/policy-stage.js';
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
}

export const START_PROCESSOR = 'root';

export function buildProcessors(options: ProcessorOptions): Map<string, Processor> {
  const finalize = { secret: options.secret, node: options.node, hostname: options.hostname };
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
      steps: [...policySteps({ rules: options.rules, restartProcessor: 'outbound' }), { name: 'to-protect', action: () => outcome.goto('outbound-protect') }],
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
      steps: [...policySteps({ rules: options.rules, restartProcessor: 'inbound-policy' }), finalizeStep('inbound', finalize)],
    },
  ];
  return new Map(processors.map((p) => [p.name, p]));
}
