/**
 * Generates docs/config.md from the zod schema, so the reference can never drift from the code.
 * `--check` fails (exit 1) when the committed file differs from what the schema gives (CI runs it).
 */
import { writeOrCheck } from './generated-file.js';
import { z } from 'zod';
import { configSchema } from '../src/config/schema.js';
import { actionShapes } from '../src/config/policy-schema.js';

type JsonSchema = {
  type?: string | string[];
  description?: string;
  default?: unknown;
  enum?: unknown[];
  const?: unknown;
  pattern?: string;
  properties?: Record<string, JsonSchema>;
  additionalProperties?: JsonSchema | boolean;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  required?: string[];
  $ref?: string;
  minimum?: number;
};

const OUT = 'docs/config.md';

function typeOf(s: JsonSchema): string {
  if (s.enum) return s.enum.map((v) => `\`${String(v)}\``).join(' \\| ');
  if (s.const !== undefined) return `\`${String(s.const)}\``;
  if (s.anyOf) return s.anyOf.map(typeOf).join(' \\| ');
  if (s.$ref) return 'rule / condition (see below)';
  if (s.type === 'array') return `list of ${s.items ? typeOf(s.items) : 'values'}`;
  if (s.type === 'object' && s.additionalProperties && typeof s.additionalProperties === 'object' && !s.properties) return `map of name → ${typeOf(s.additionalProperties)}`;
  if (s.type === 'object') return 'mapping';
  if (s.pattern?.includes('ms|s|m|h|d|w')) return 'duration';
  if (s.pattern?.includes('kb|mb')) return 'size';
  return Array.isArray(s.type) ? s.type.join(' \\| ') : (s.type ?? 'value');
}

function rows(s: JsonSchema, path: string, required: boolean, out: string[]): void {
  if (path) {
    const def = s.default === undefined ? (required ? '**required**' : '') : `\`${JSON.stringify(s.default)}\``;
    out.push(`| \`${path}\` | ${typeOf(s)} | ${def} | ${(s.description ?? '').replace(/\|/g, '\\|')} |`);
  }
  if (path === 'policies') return; // the rule language is documented as a language, below
  const obj = s.type === 'array' ? s.items : s.anyOf ? s.anyOf.find((a) => a.type === 'object') : s;
  const prefix = s.type === 'array' ? `${path}[]` : path;
  if (obj?.properties) {
    for (const [key, child] of Object.entries(obj.properties)) rows(child, prefix ? `${prefix}.${key}` : key, obj.required?.includes(key) ?? false, out);
  } else if (obj?.type === 'object' && obj.additionalProperties && typeof obj.additionalProperties === 'object') {
    for (const [key, child] of Object.entries(obj.additionalProperties.properties ?? {})) rows(child, `${prefix}.<name>.${key}`, false, out);
  }
}

export function render(): string {
  const schema = z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  const lines: string[] = [];
  rows(schema, '', true, lines);
  return `# sealpost.yaml reference

Generated from \`src/config/schema.ts\` by \`npm run docs:config\`; CI fails when it is out of date.
Unknown keys are errors. Durations: \`250ms\`, \`30s\`, \`5m\`, \`4h\`, \`5d\`, \`2w\`. Sizes: \`512KB\`, \`25MB\`
(binary multiples) or a number of bytes. Any string may contain \`\${ENV_VAR}\` (an unset variable is an
error; \`$\${\` is a literal \`\${\`). Relative paths are resolved against the directory of the config file.

| key | type | default | meaning |
|---|---|---|---|
${lines.join('\n')}

## Rules (\`policies[]\`)

Each rule: \`name\`, optional \`description\`, \`direction\` (\`outbound\` default, or \`inbound\`), optional
\`scope\` (\`{ domain: example.com }\` or \`{ user: a@example.com }\`: the sender for outbound, the recipient for
inbound), optional \`if\` (a condition), \`then\` (a list of actions), \`stop\` (default false).

Evaluation: user-scoped rules first, then domain-scoped, then gateway-wide, each group in file order; the
actions of every matching rule apply until one has \`stop: true\` (or a \`deliver\` action); the first matching
rule with \`encrypt\`/\`noEncrypt\` decides encryption; \`block\` and \`quarantine\` win over any encryption decision.

**Conditions** (exactly one key each): \`subject\`, \`header\` (\`name\` + a test), \`from\`, \`to\` (envelope
addresses), \`fromDomain\`, \`toDomain\`, \`size\` (\`over\`/\`under\`), \`encrypted\` / \`signed\`
(\`smime|pgp|any|none\`), \`all\`, \`any\` (lists), \`not\`. String tests (exactly one): \`contains\`, \`equals\`,
\`startsWith\`, \`endsWith\`, \`matches\` (regex), \`in\` (list); \`caseSensitive: true\` to match case.

**Actions** (a bare name takes the defaults): ${Object.keys(actionShapes).map((a) => `\`${a}\``).join(', ')}.
\`encrypt: { profile: default, mandatory: true }\`; \`quarantine: { notify: [sender, admin] }\`;
\`block: { reply }\`; \`addHeader: { name, value }\`; \`removeHeader: { name }\`; \`stripSubject: "<tag>"\`;
\`route: { to: <next hop> }\`; \`warn: { header, text }\`; \`deliver\` ends rule evaluation.

When \`policies\` is absent the defaults apply: outbound mail whose subject contains \`[secure]\` or that
carries \`X-Sealpost-Encrypt: yes\` is encrypted with profile \`default\` (mandatory) and the tag is removed.
`;
}

writeOrCheck(OUT, render(), 'npm run docs:config');
