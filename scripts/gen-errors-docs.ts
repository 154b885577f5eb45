/**
 * Generates docs/errors.md from the error catalog (src/errors/catalog.ts), so the reference can
 * never drift from the code. `--check` fails (exit 1) when the committed file differs from what the
 * catalog gives (CI runs it). Either mode also fails when an entry breaks the catalog's own rules:
 * codes are SP_ERR_<AREA>_<REASON>, and an SMTP reply's enhanced code has the class of its basic
 * code (451 → 4.x.x, 554 → 5.x.x).
 */
import { writeOrCheck } from './generated-file.js';
import { ERROR_CATALOG, type ErrorSpec } from '../src/errors/catalog.js';

const OUT = 'docs/errors.md';
const CODE = /^SP_ERR_[A-Z0-9]+(?:_[A-Z0-9]+)*$/;

function problems(entries: readonly [string, ErrorSpec][]): string[] {
  const out: string[] = [];
  for (const [code, spec] of entries) {
    if (!CODE.test(code)) out.push(`${code}: not of the form SP_ERR_<AREA>_<REASON>`);
    if (!/^[245]\.\d{1,3}\.\d{1,3}$/.test(spec.smtp.enhanced) || spec.smtp.enhanced[0] !== String(spec.smtp.code)[0]) {
      out.push(`${code}: SMTP ${spec.smtp.code} with enhanced code ${spec.smtp.enhanced} (classes differ)`);
    }
    if (!Number.isInteger(spec.http) || spec.http < 400 || spec.http > 599) out.push(`${code}: HTTP status ${spec.http} is not an error status`);
  }
  return out;
}

const cell = (s: string): string => s.replace(/\|/g, '\\|');

export function render(): string {
  const entries = Object.entries(ERROR_CATALOG) as [string, ErrorSpec][];
  const rows = entries.map(
    ([code, spec]) => `| \`${code}\` | ${cell(spec.message)} | ${spec.transient ? 'yes' : 'no'} | ${spec.smtp.code} ${spec.smtp.enhanced} | ${spec.http} |`,
  );
  return `# Error codes

Generated from \`src/errors/catalog.ts\` by \`npx tsx scripts/gen-errors-docs.ts\`; CI fails when it is out of date.

Every failure that crosses a module boundary is a \`SealpostError\` carrying one of these codes, a
context (message id, queue id, recipient, stage, path — never secrets or message bodies) and the
original \`cause\`. Expected outcomes ("no certificate", "signature invalid") are values, not
errors, and are not listed here.

- **transient**: whether retrying the same operation later can succeed.
- **SMTP reply**: what a client gets when the error surfaces during an SMTP transaction
  (\`src/receive/smtp-reply.ts\`). The client sees the fixed message below, never the detail.
- **HTTP**: the status for the same error on the (future) admin API.
- On the command line, \`--json\` prints \`{"error": {"code", "message", "path"?}}\`; the exit code
  is 1 for user errors (configuration, usage, unknown id) and 2 otherwise (\`src/cli/output.ts\`).

| code | message | transient | SMTP reply | HTTP |
|---|---|---|---|---|
${rows.join('\n')}
`;
}

const bad = problems(Object.entries(ERROR_CATALOG) as [string, ErrorSpec][]);
if (bad.length > 0) {
  for (const p of bad) process.stderr.write(`src/errors/catalog.ts: ${p}\n`);
  process.exit(1);
}

writeOrCheck(OUT, render(), 'npx tsx scripts/gen-errors-docs.ts');
