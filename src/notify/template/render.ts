/**
 * A small, safe template language for notices, hand-written on purpose: no template library is
 * installed, and the few features notices need are easier to audit than a general engine.
 *
 *   {{name}}                    a variable, always escaped for the output (HTML entities in HTML,
 *                               controls removed in text and subjects); a list prints "a, b, c"
 *   {{#if name}}…{{else}}…{{/if}}   shown when the variable is non-empty (list), non-blank, true or ≠ 0
 *   {{#unless name}}…{{/unless}}    the opposite
 *   {{#each name}}…{{.}}…{{/each}}  once per list item; {{.}} is the item
 *   {{! a comment }}
 *
 * There is deliberately no raw output ({{{…}}} is an error): every variable may come from a
 * stranger (subjects, addresses, remote replies), so nothing can inject markup or headers.
 * Parsing is separate from rendering so override files are checked at `sealpost check`/start,
 * with line and column of the first problem.
 */

export type TemplateValue = string | number | boolean | readonly string[] | undefined;
export type TemplateVars = Readonly<Record<string, TemplateValue>>;

type Node =
  | { readonly t: 'text'; readonly s: string }
  | { readonly t: 'var'; readonly name: string }
  | { readonly t: 'if'; readonly name: string; readonly negate: boolean; readonly then: Node[]; readonly else: Node[] }
  | { readonly t: 'each'; readonly name: string; readonly body: Node[] };

export interface Template {
  readonly nodes: readonly Node[];
  /** every variable name the template reads (for validation against the known ones) */
  readonly variables: ReadonlySet<string>;
}

export class TemplateSyntaxError extends Error {
  constructor(message: string, readonly line: number, readonly column: number) {
    super(`line ${line}, column ${column}: ${message}`);
  }
}

const NAME = /^[A-Za-z][A-Za-z0-9_]*$/;

function position(source: string, index: number): { line: number; column: number } {
  const before = source.slice(0, index);
  const line = before.split('\n').length;
  return { line, column: index - before.lastIndexOf('\n') };
}

/** Parses a template; throws TemplateSyntaxError (with line and column) on any mistake. */
export function parseTemplate(source: string): Template {
  const variables = new Set<string>();
  const root: Node[] = [];
  // open blocks: where their children go, and what closes them
  const stack: Array<{ kind: 'if' | 'unless' | 'each'; name: string; at: number; node: Node & { t: 'if' | 'each' }; inElse: boolean }> = [];
  const target = (): Node[] => {
    const top = stack.at(-1);
    if (!top) return root;
    if (top.node.t === 'each') return top.node.body;
    return top.inElse ? top.node.else : top.node.then;
  };
  const fail = (message: string, index: number): never => {
    const p = position(source, index);
    throw new TemplateSyntaxError(message, p.line, p.column);
  };

  let i = 0;
  while (i < source.length) {
    const open = source.indexOf('{{', i);
    if (open < 0) {
      target().push({ t: 'text', s: source.slice(i) });
      break;
    }
    if (open > i) target().push({ t: 'text', s: source.slice(i, open) });
    if (source.startsWith('{{{', open)) fail('raw output {{{…}}} is not allowed: every variable is escaped', open);
    const close = source.indexOf('}}', open + 2);
    if (close < 0) fail('"{{" without a closing "}}"', open);
    const tag = source.slice(open + 2, close).trim();
    i = close + 2;
    if (tag.startsWith('!')) continue;
    let m: RegExpExecArray | null;
    if ((m = /^#(if|unless|each)\s+(\S+)$/.exec(tag))) {
      const kind = m[1] as 'if' | 'unless' | 'each';
      const name = m[2]!;
      if (!NAME.test(name)) fail(`"${name}" is not a variable name`, open);
      variables.add(name);
      const node: Node & { t: 'if' | 'each' } = kind === 'each' ? { t: 'each', name, body: [] } : { t: 'if', name, negate: kind === 'unless', then: [], else: [] };
      target().push(node);
      stack.push({ kind, name, at: open, node, inElse: false });
    } else if (tag === 'else') {
      const top = stack.at(-1);
      if (!top || top.kind === 'each' || top.inElse) fail('{{else}} outside {{#if}}/{{#unless}}', open);
      top!.inElse = true;
    } else if ((m = /^\/(if|unless|each)$/.exec(tag))) {
      const top = stack.pop();
      if (!top) fail(`{{${tag}}} closes nothing`, open);
      if (top!.kind !== m[1]) fail(`{{${tag}}} closes {{#${top!.kind} ${top!.name}}} (opened at line ${position(source, top!.at).line})`, open);
    } else if (tag === '.') {
      if (!stack.some((s) => s.kind === 'each')) fail('{{.}} outside {{#each}}', open);
      target().push({ t: 'var', name: '.' });
    } else if (NAME.test(tag)) {
      variables.add(tag);
      target().push({ t: 'var', name: tag });
    } else {
      fail(`unknown tag {{${tag}}}`, open);
    }
  }
  const unclosed = stack.at(-1);
  if (unclosed) fail(`{{#${unclosed.kind} ${unclosed.name}}} is never closed`, unclosed.at);
  return { nodes: root, variables };
}

function truthy(v: TemplateValue): boolean {
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'string') return v.trim() !== '';
  return Boolean(v);
}

/** A value as text before escaping: lists joined with ", ", booleans print nothing. */
function asText(v: TemplateValue): string {
  if (v === undefined || typeof v === 'boolean') return '';
  if (Array.isArray(v)) return v.join(', ');
  return String(v);
}

/**
 * Renders with `escape` applied to every variable's text (and to nothing else: the template's
 * own text is trusted, it comes from us or from the administrator's override directory).
 */
export function renderTemplate(template: Template, vars: TemplateVars, escape: (s: string) => string): string {
  const walk = (nodes: readonly Node[], item: string | undefined): string => {
    let out = '';
    for (const n of nodes) {
      switch (n.t) {
        case 'text':
          out += n.s;
          break;
        case 'var':
          out += escape(n.name === '.' ? (item ?? '') : asText(vars[n.name]));
          break;
        case 'if':
          out += walk(truthy(vars[n.name]) !== n.negate ? n.then : n.else, item);
          break;
        case 'each': {
          const v = vars[n.name];
          const list = Array.isArray(v) ? (v as readonly string[]) : truthy(v) ? [asText(v)] : [];
          for (const x of list) out += walk(n.body, x);
          break;
        }
      }
    }
    return out;
  };
  return walk(template.nodes, undefined);
}

/** Parses once and renders (built-in strings, which are known to parse). */
const cache = new Map<string, Template>();
export function render(source: string, vars: TemplateVars, escape: (s: string) => string): string {
  let t = cache.get(source);
  if (!t) {
    t = parseTemplate(source);
    cache.set(source, t);
  }
  return renderTemplate(t, vars, escape);
}
