/**
 * Loads sealpost.yaml: YAML → ${ENV} substitution → zod validation. Every problem is reported with
 * its YAML path, line and column, what was expected and what was found, so `sealpost check` can
 * print one actionable line per problem.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { LineCounter, parseDocument, isNode, type Document } from 'yaml';
import type { z } from 'zod';
import { SealpostError } from '../errors/index.js';
import { configSchema, type Config } from './schema.js';

export interface ConfigProblem {
  /** dotted YAML path, e.g. smtp.listeners[0].listen */
  readonly path: string;
  readonly line?: number;
  readonly column?: number;
  readonly message: string;
}

export interface LoadedConfig {
  readonly config: Config;
  readonly file: string;
  /** directory relative paths in the config are resolved against */
  readonly baseDir: string;
}

export class ConfigError extends SealpostError {
  constructor(readonly file: string, readonly problems: readonly ConfigProblem[]) {
    super('SP_ERR_CONFIG_INVALID', problems.map((p) => formatProblem(file, p)).join('; '), { path: problems[0]?.path });
  }
}

export function formatProblem(file: string, p: ConfigProblem): string {
  const where = p.line === undefined ? file : `${file}:${p.line}:${p.column ?? 1}`;
  return `${where}: ${p.path || '(top level)'}: ${p.message}`;
}

export function pathToString(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : acc ? `${acc}.${String(key)}` : String(key)), '');
}

export function defaultConfigPath(explicit?: string): string {
  return resolve(explicit || process.env.SEALPOST_CONFIG || './sealpost.yaml');
}

export function loadConfigFile(file: string, env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new SealpostError('SP_ERR_CONFIG_NOT_FOUND', `${file} (${(err as NodeJS.ErrnoException).code ?? 'unreadable'}); run \`sealpost init\` to create one`, { path: file }, { cause: err });
  }
  return { config: parseConfigText(text, file, env), file, baseDir: dirname(resolve(file)) };
}

export function parseConfigText(text: string, file = 'sealpost.yaml', env: NodeJS.ProcessEnv = process.env): Config {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      file,
      doc.errors.map((e) => {
        const pos = e.linePos?.[0];
        return { path: '', message: `YAML syntax: ${e.message.split('\n')[0]}`, ...(pos ? { line: pos.line, column: pos.col } : {}) };
      }),
    );
  }
  const raw: unknown = doc.toJS() ?? {};
  const envProblems: ConfigProblem[] = [];
  const substituted = substituteEnv(raw, [], env, envProblems);
  const result = configSchema.safeParse(substituted, { reportInput: true });
  // Report everything at once: unset variables, then schema problems at other paths.
  const envPaths = new Set(envProblems.map((p) => p.path));
  const schemaProblems = result.success ? [] : issuesToProblems(result.error.issues).filter((p) => !envPaths.has(p.path));
  const problems = [...envProblems, ...schemaProblems];
  if (problems.length > 0 || !result.success) throw new ConfigError(file, problems.map((p) => locate(doc, lines, p)));
  return result.data;
}

/** Replaces ${NAME} in string values; `$${` stays a literal `${`. Unset variables are problems, never ''. */
function substituteEnv(value: unknown, path: PropertyKey[], env: NodeJS.ProcessEnv, problems: ConfigProblem[]): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$?\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (match, name: string) => {
      if (match.startsWith('$$')) return match.slice(1);
      const found = env[name];
      if (found === undefined) {
        problems.push({ path: pathToString(path), message: `environment variable ${name} is not set` });
        return match;
      }
      return found;
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => substituteEnv(v, [...path, i], env, problems));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substituteEnv(v, [...path, k], env, problems)]));
  }
  return value;
}

function describeFound(input: unknown): string {
  if (input === undefined) return 'nothing';
  if (typeof input === 'string') return JSON.stringify(input.length > 60 ? `${input.slice(0, 57)}...` : input);
  if (Array.isArray(input)) return 'a list';
  if (input === null) return 'null';
  if (typeof input === 'object') return 'a mapping';
  return String(input);
}

function issuesToProblems(issues: readonly z.core.$ZodIssue[], prefix: PropertyKey[] = []): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  for (const issue of issues) {
    const path = [...prefix, ...issue.path];
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) out.push({ path: pathToString([...path, key]), message: `unknown key "${key}"` });
      continue;
    }
    if (issue.code === 'invalid_union') {
      // Report the branch that got furthest (most specific path) rather than "invalid input".
      const branches = issue.errors.map((errs) => issuesToProblems(errs, path));
      const best = branches.sort((a, b) => depth(b) - depth(a))[0];
      if (best && best.length > 0) {
        out.push(...best);
        continue;
      }
      out.push({ path: pathToString(path), message: `${issue.message}; found ${describeFound(issue.input)}` });
      continue;
    }
    const expected = issue.code === 'invalid_type' ? `expected ${issue.expected}` : issue.message.replace(/^Invalid input: /, '');
    const message = issue.code === 'invalid_value' ? `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}` : expected;
    out.push({ path: pathToString(path), message: `${message}; found ${describeFound(issue.input)}` });
  }
  return out;
}

function depth(problems: readonly ConfigProblem[]): number {
  return Math.max(0, ...problems.map((p) => (p.path.match(/[.[]/g)?.length ?? 0) + (p.path ? 1 : 0)));
}

/** Adds line/column from the YAML node at the problem's path (or its nearest existing parent). */
function locate(doc: Document, lines: LineCounter, problem: ConfigProblem): ConfigProblem {
  const keys = problem.path.match(/[^.[\]]+/g)?.map((k) => (/^\d+$/.test(k) ? Number(k) : k)) ?? [];
  for (let n = keys.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : doc.getIn(keys.slice(0, n), true);
    if (isNode(node) && node.range) {
      const pos = lines.linePos(node.range[0]);
      return { ...problem, line: pos.line, column: pos.col };
    }
  }
  return problem;
}
