/**
 * Schema of the rule language (DESIGN §4). Conditions and actions are objects with exactly one
 * key, so an unknown name is reported at its own YAML path instead of as a vague union mismatch.
 */
import { z } from 'zod';
import { NOTICE_TYPES } from '../notify/notice.js';
import { domainPattern, emailAddress, nextHop, size } from './fields.js';

const stringTestShape = {
  contains: z.string().optional(),
  equals: z.string().optional(),
  startsWith: z.string().optional(),
  endsWith: z.string().optional(),
  matches: z.string().optional().refine((re) => re === undefined || isValidRegex(re), { message: 'not a valid regular expression' }),
  in: z.array(z.string()).optional(),
  caseSensitive: z.boolean().default(false),
};
const TESTS = ['contains', 'equals', 'startsWith', 'endsWith', 'matches', 'in'] as const;

/** Valid with the flags the rules run it with (`u`, `iu`): a pattern only valid without them would throw on every message. */
function isValidRegex(source: string): boolean {
  try {
    new RegExp(source, 'u');
    new RegExp(source, 'iu');
    return true;
  } catch {
    return false;
  }
}

function exactlyOneTest(v: Record<string, unknown>): boolean {
  return TESTS.filter((t) => v[t] !== undefined).length === 1;
}

export const stringTest = z
  .strictObject(stringTestShape)
  .refine(exactlyOneTest, { message: `give exactly one of ${TESTS.join(', ')}` });

const headerTest = z
  .strictObject({ name: z.string().min(1), ...stringTestShape })
  .refine(exactlyOneTest, { message: `give exactly one of ${TESTS.join(', ')}` });

export type StringTest = z.output<typeof stringTest>;

const sizeRange = z
  .strictObject({ over: size.optional(), under: size.optional() })
  .refine((r) => r.over !== undefined || r.under !== undefined, { message: 'give over and/or under' });

/** Where a text comes from in the content index (src/dlp): the scan areas of a dlp condition. */
export const TEXT_AREAS = ['header', 'subject', 'body', 'attachment'] as const;
export type TextArea = (typeof TEXT_AREAS)[number];

const attachmentTest = z
  .strictObject({
    name: stringTest.optional().describe('file name (decoded), or the member name inside an archive'),
    type: stringTest.optional().describe('media type, lower case, e.g. application/pdf'),
    size: sizeRange.optional(),
  })
  .refine((a) => a.name !== undefined || a.type !== undefined || a.size !== undefined, { message: 'give name, type and/or size' });

const dlpTest = z.strictObject({
  detector: z.string().min(1).describe('a built-in detector (credit-card, iban, us-ssn, aba-routing, email-addresses) or one of dlp.detectors'),
  atLeast: z.number().int().min(1).optional().describe('hits needed; omitted = the detector\'s threshold (1 for built-ins)'),
  where: z.array(z.enum(TEXT_AREAS)).min(1).optional().describe('scan only these areas; omitted = the detector\'s own'),
});

export interface Condition {
  subject?: StringTest;
  header?: StringTest & { name: string };
  /** text bodies (text/plain, HTML as text) of the top-level message */
  body?: StringTest;
  /** some attachment (MIME part, nested message, archive member) satisfies every test given */
  attachment?: { name?: StringTest; type?: StringTest; size?: { over?: number; under?: number } };
  dlp?: { detector: string; atLeast?: number; where?: TextArea[] };
  from?: StringTest;
  to?: StringTest;
  fromDomain?: StringTest;
  toDomain?: StringTest;
  size?: { over?: number; under?: number };
  encrypted?: 'smime' | 'pgp' | 'any' | 'none';
  signed?: 'smime' | 'pgp' | 'any' | 'none';
  all?: Condition[];
  any?: Condition[];
  not?: Condition;
}

const CONDITION_KEYS = ['subject', 'header', 'body', 'attachment', 'dlp', 'from', 'to', 'fromDomain', 'toDomain', 'size', 'encrypted', 'signed', 'all', 'any', 'not'] as const;

export const condition: z.ZodType<Condition> = z.lazy(() =>
  z
    .strictObject({
      subject: stringTest.optional(),
      header: headerTest.optional(),
      body: stringTest.optional(),
      attachment: attachmentTest.optional(),
      dlp: dlpTest.optional(),
      from: stringTest.optional(),
      to: stringTest.optional(),
      fromDomain: stringTest.optional(),
      toDomain: stringTest.optional(),
      size: sizeRange.optional(),
      encrypted: z.enum(['smime', 'pgp', 'any', 'none']).optional(),
      signed: z.enum(['smime', 'pgp', 'any', 'none']).optional(),
      all: z.array(condition).min(1).optional(),
      any: z.array(condition).min(1).optional(),
      not: condition.optional(),
    })
    .refine((c) => CONDITION_KEYS.filter((k) => c[k] !== undefined).length === 1, {
      message: `a condition has exactly one of: ${CONDITION_KEYS.join(', ')}`,
    }),
) as z.ZodType<Condition>;

/**
 * A Mimecast-style scored phrase list: every phrase found adds its score (once per phrase); the
 * list holds when the sum reaches `threshold`. Negative scores express exceptions, e.g. our own
 * processed marker (`x-sealpost-processed`), which classify keeps only when its MAC is valid.
 */
export const scoreList = z.strictObject({
  threshold: z.number().describe('the sum of the found phrases\' scores that makes the rule match'),
  scan: z.array(z.enum(['headers', 'subject', 'body'])).min(1).default(['headers', 'subject', 'body']).describe('headers: one `Name: value` line per field, decoded; body: text bodies, HTML as text'),
  caseSensitive: z.boolean().default(false),
  phrases: z.array(z.strictObject({ score: z.number(), text: z.string().min(1) })).min(1),
});
export type ScoreList = z.output<typeof scoreList>;

const empty = z.strictObject({});
const encryptAction = z.strictObject({
  profile: z.string().default('default').describe('encryption profile (a key of `profiles`)'),
  mandatory: z.boolean().default(true).describe('mandatory protection never falls back to plaintext'),
});

/** Who a policy notice goes to: the envelope sender, the administrator (notifications.admin), the message's recipients, or an address. */
const noticeTarget = z.union([z.enum(['sender', 'admin', 'recipients']), emailAddress]);
const noticeTemplate = z.enum(NOTICE_TYPES, { message: `a notice template is one of ${NOTICE_TYPES.join(', ')}` });
const notifyAction = z.strictObject({
  to: z.union([noticeTarget, z.array(noticeTarget).min(1)]).describe('sender, admin, recipients or an address (or a list of them)'),
  template: noticeTemplate.describe('the notice type whose template is used (notify/); variables: subject, rule, reason, recipients, sender'),
});

/** Action names usable bare (`- encrypt`) and the options each takes. */
export const actionShapes = {
  encrypt: encryptAction,
  sign: empty,
  noEncrypt: empty,
  deliver: empty,
  warn: z.strictObject({
    header: z.union([z.string().regex(/^[\x21-\x39\x3b-\x7e]+$/, { message: 'not a valid header name' }), z.literal(false)]).default('X-Sealpost-Warning').describe('header added to the delivered message; false = none'),
    text: z.string().default('matched a warning policy').describe('the header value (and the notice\'s reason)'),
    notify: notifyAction.optional().describe('also send a notice'),
  }),
  quarantine: z.strictObject({
    notify: z.array(z.enum(['sender', 'admin'])).default([]).describe('send a `quarantined` notice to the sender and/or notifications.admin'),
    reason: z.string().optional().describe('shown in `quarantine list` and the notice; default: the rule name'),
  }),
  block: z.strictObject({ reply: z.string().default('Message blocked by policy').describe('text of the bounce (DSN diagnostic) the sender gets') }),
  notify: notifyAction,
  addHeader: z.strictObject({ name: z.string().regex(/^[\x21-\x39\x3b-\x7e]+$/, { message: 'not a valid header name' }), value: z.string() }),
  removeHeader: z.strictObject({ name: z.string().min(1) }),
  stripSubject: z.string().min(1),
  route: z.strictObject({ to: nextHop.describe('next hop for the matched recipients: smtp://, smtps://, submission://, mx or capture') }),
} as const;

type ActionShapes = typeof actionShapes;
export type ActionName = keyof ActionShapes;
export type Action = { [K in ActionName]: { kind: K; options: z.output<ActionShapes[K]> } }[ActionName];

const ACTION_NAMES = Object.keys(actionShapes) as ActionName[];
const BARE = ACTION_NAMES.filter((n) => n !== 'stripSubject' && n !== 'addHeader' && n !== 'removeHeader' && n !== 'route' && n !== 'notify');

const actionObject = z
  .strictObject(Object.fromEntries(ACTION_NAMES.map((n) => [n, actionShapes[n].optional()])) as { [K in ActionName]: z.ZodOptional<ActionShapes[K]> })
  .refine((a) => Object.values(a).filter((v) => v !== undefined).length === 1, { message: `an action has exactly one of: ${ACTION_NAMES.join(', ')}` })
  .transform((a) => {
    const kind = ACTION_NAMES.find((n) => a[n] !== undefined)!;
    return { kind, options: a[kind] } as Action;
  });

export const action = z.union([
  z.enum(BARE as [string, ...string[]], { message: `unknown action; bare actions are ${BARE.join(', ')}` }).transform((kind) => {
    return { kind, options: actionShapes[kind as ActionName].parse({}) } as Action;
  }),
  actionObject,
]);

export const rule = z.strictObject({
  name: z.string().min(1).describe('shown in traces and `policy explain`'),
  description: z.string().optional(),
  direction: z.enum(['outbound', 'inbound']).default('outbound').describe('omitted = outbound'),
  scope: z
    .union([z.strictObject({ domain: domainPattern }), z.strictObject({ user: emailAddress })])
    .optional()
    .describe('the internal party: sender for outbound, recipient for inbound; omitted = gateway-wide'),
  if: condition.optional().describe('condition; omitted = always (or: the score list alone decides)'),
  score: scoreList.optional().describe('scored phrase list; with `if`, both must hold'),
  then: z.array(action).min(1).describe('actions, applied in order'),
  stop: z.boolean().default(false).describe('no later rule runs after this one matched'),
});

export type Rule = z.output<typeof rule>;

/**
 * Recipient-address suffix routing (IncaMail style): mail to `bob@partner.example.secure` is
 * encrypted and delivered to `bob@partner.example`. The suffix is removed before the pipeline
 * runs (so certificate lookups use the real address) and decides encryption before every rule.
 */
export const suffixRoute = z.strictObject({
  suffix: z
    .string()
    .regex(/^\.[a-z0-9-]+(\.[a-z0-9-]+)*$/i, { message: 'a suffix looks like .secure' })
    .transform((s) => s.toLowerCase())
    .describe('appended to the recipient\'s domain by the sender, e.g. .secure'),
  encrypt: encryptAction.prefault({}).describe('the encryption decision for such recipients (mandatory by default)'),
});
export type SuffixRoute = z.output<typeof suffixRoute>;

export const policySettings = z
  .strictObject({
    suffixes: z.array(suffixRoute).default([]).describe('recipient-address suffixes that request encryption; removed before delivery'),
  })
  .describe('settings of the policy engine (the rules themselves are `policies`)');
export type PolicySettings = z.output<typeof policySettings>;

/** Every dlp detector a rule names, with the YAML path of its `detector` field (for cross-checks against `dlp`). */
export function detectorsOf(r: Rule): { detector: string; path: (string | number)[] }[] {
  const out: { detector: string; path: (string | number)[] }[] = [];
  const walk = (c: Condition, path: (string | number)[]) => {
    if (c.dlp) out.push({ detector: c.dlp.detector, path: [...path, 'dlp', 'detector'] });
    c.all?.forEach((x, i) => walk(x, [...path, 'all', i]));
    c.any?.forEach((x, i) => walk(x, [...path, 'any', i]));
    if (c.not) walk(c.not, [...path, 'not']);
  };
  if (r.if) walk(r.if, ['if']);
  return out;
}
