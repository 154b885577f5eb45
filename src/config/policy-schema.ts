/**
 * Schema of the rule language (DESIGN §4). Conditions and actions are objects with exactly one
 * key, so an unknown name is reported at its own YAML path instead of as a vague union mismatch.
 */
import { z } from 'zod';
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

function isValidRegex(source: string): boolean {
  try {
    new RegExp(source);
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

export interface Condition {
  subject?: StringTest;
  header?: StringTest & { name: string };
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

const CONDITION_KEYS = ['subject', 'header', 'from', 'to', 'fromDomain', 'toDomain', 'size', 'encrypted', 'signed', 'all', 'any', 'not'] as const;

export const condition: z.ZodType<Condition> = z.lazy(() =>
  z
    .strictObject({
      subject: stringTest.optional(),
      header: headerTest.optional(),
      from: stringTest.optional(),
      to: stringTest.optional(),
      fromDomain: stringTest.optional(),
      toDomain: stringTest.optional(),
      size: z.strictObject({ over: size.optional(), under: size.optional() }).optional(),
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

const empty = z.strictObject({});
const encryptAction = z.strictObject({
  profile: z.string().default('default').describe('encryption profile (a key of `profiles`)'),
  mandatory: z.boolean().default(true).describe('mandatory protection never falls back to plaintext'),
});

/** Action names usable bare (`- encrypt`) and the options each takes. */
export const actionShapes = {
  encrypt: encryptAction,
  sign: empty,
  noEncrypt: empty,
  deliver: empty,
  warn: z.strictObject({ header: z.string().default('X-Sealpost-Warning'), text: z.string().default('matched a warning policy') }),
  quarantine: z.strictObject({ notify: z.array(z.enum(['sender', 'admin'])).default([]) }),
  block: z.strictObject({ reply: z.string().default('Message blocked by policy') }),
  addHeader: z.strictObject({ name: z.string().regex(/^[\x21-\x39\x3b-\x7e]+$/, { message: 'not a valid header name' }), value: z.string() }),
  removeHeader: z.strictObject({ name: z.string().min(1) }),
  stripSubject: z.string().min(1),
  route: z.strictObject({ to: nextHop.describe('next hop for the matched recipients: smtp://, smtps://, submission://, mx or capture') }),
} as const;

type ActionShapes = typeof actionShapes;
export type ActionName = keyof ActionShapes;
export type Action = { [K in ActionName]: { kind: K; options: z.output<ActionShapes[K]> } }[ActionName];

const ACTION_NAMES = Object.keys(actionShapes) as ActionName[];
const BARE = ACTION_NAMES.filter((n) => n !== 'stripSubject' && n !== 'addHeader' && n !== 'removeHeader' && n !== 'route');

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
  if: condition.optional().describe('condition; omitted = always'),
  then: z.array(action).min(1).describe('actions, applied in order'),
  stop: z.boolean().default(false).describe('no later rule runs after this one matched'),
});

export type Rule = z.output<typeof rule>;
