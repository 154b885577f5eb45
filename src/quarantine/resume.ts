/**
 * quarantine/ — releasing held messages back into the pipeline.
 *
 * A released message resumes after the policy stage: its spool entry carries a ResumePoint (the
 * processor after the policy, the branch's decision, the message facts classify found). The
 * pipeline starts it in a one-step processor that restores that decision and jumps on, so the
 * message is protected exactly as its policy said — never decided again, never sent as is.
 * SECURITY: the resume point comes from our own store (written by the pipeline at quarantine
 * time), validated structurally on read; an unknown processor quarantines the message again.
 */
import type { Processor } from '../mail/step.js';
import { outcome } from '../mail/outcome.js';
import type { ResumePoint } from '../spool/types.js';

export const RESUME_PROCESSOR = 'resume';

/** The processors for one resumed message: the shipped ones plus a start that restores the decision. */
export function resumeProcessors(processors: ReadonlyMap<string, Processor>, resume: ResumePoint): { processors: Map<string, Processor>; start: string } {
  const restore: Processor = {
    name: RESUME_PROCESSOR,
    steps: [
      {
        name: 'restore-decision',
        securityCritical: true,
        action: (msg, branch) => {
          Object.assign(branch.facts, structuredClone(resume.facts));
          // held again later (a failing step), the entry must still resume here, not re-decide
          // from the start on a message whose triggers were already removed
          branch.facts.resumeAt = resume.processor;
          const p = resume.facts.protection;
          msg.trace.add('quarantine', 'resumed', `at ${resume.processor}${p ? ` with ${p.level} protection (profile ${p.profile}) decided by ${p.decidedBy.rule}` : ''}`, branch.recipients.map((r) => r.address));
          return outcome.goto(resume.processor);
        },
      },
    ],
  };
  return { processors: new Map([...processors, [RESUME_PROCESSOR, restore]]), start: RESUME_PROCESSOR };
}
