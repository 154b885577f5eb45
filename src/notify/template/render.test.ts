import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { escapeHtml, escapeText, wrap } from './layout.js';
import { parseTemplate, renderTemplate, TemplateSyntaxError } from './render.js';

const r = (src: string, vars: Record<string, string | string[] | boolean | number | undefined>, esc = escapeText): string => renderTemplate(parseTemplate(src), vars, esc);

describe('template renderer', () => {
  it('renders variables, lists joined, booleans silent, missing ones empty', () => {
    assert.equal(r('Hi {{ name }}, {{list}}; {{flag}}{{missing}}.', { name: 'Ana', list: ['a', 'b'], flag: true }), 'Hi Ana, a, b; .');
    assert.equal(r('{{n}}', { n: 0 }), '0');
  });

  it('conditionals: if/else, unless, truthiness of blanks, empty lists and zero', () => {
    const t = '{{#if x}}yes{{else}}no{{/if}}|{{#unless x}}U{{/unless}}';
    assert.equal(r(t, { x: 'v' }), 'yes|');
    assert.equal(r(t, { x: '  ' }), 'no|U');
    assert.equal(r(t, { x: [] }), 'no|U');
    assert.equal(r(t, { x: 0 }), 'no|U');
    assert.equal(r(t, {}), 'no|U');
  });

  it('each iterates list items ({{.}}), a scalar once, nothing for empty', () => {
    assert.equal(r('{{#each xs}}[{{.}}]{{/each}}', { xs: ['a', 'b'] }), '[a][b]');
    assert.equal(r('{{#each xs}}[{{.}}]{{/each}}', { xs: 'one' }), '[one]');
    assert.equal(r('{{#each xs}}[{{.}}]{{/each}}', { xs: [] }), '');
    assert.equal(r('{{#each xs}}{{#if y}}{{.}}{{/if}}{{/each}}', { xs: ['a'], y: true }), 'a');
  });

  it('collects the variables a template reads', () => {
    assert.deepEqual([...parseTemplate('{{a}}{{#if b}}{{#each c}}{{.}}{{d}}{{/each}}{{/if}}{{! e }}').variables].sort(), ['a', 'b', 'c', 'd']);
  });

  for (const [src, message, line, column] of [
    ['x {{{raw}}}', /raw output/, 1, 3],
    ['a\n  {{#if x}}open', /never closed/, 2, 3],
    ['{{#if x}}{{/each}}', /closes \{\{#if x\}\}/, 1, 10],
    ['{{/if}}', /closes nothing/, 1, 1],
    ['{{else}}', /outside/, 1, 1],
    ['{{.}}', /outside \{\{#each\}\}/, 1, 1],
    ['{{a b}}', /unknown tag/, 1, 1],
    ['{{#if 1x}}{{/if}}', /not a variable name/, 1, 1],
    ['ab\ncd {{oops', /without a closing/, 2, 4],
  ] as const) {
    it(`refuses ${JSON.stringify(src)} with line and column`, () => {
      assert.throws(
        () => parseTemplate(src),
        (err: unknown) => err instanceof TemplateSyntaxError && message.test(err.message) && err.line === line && err.column === column,
      );
    });
  }

  it('escapes every variable for HTML, including inside sections, and never the template text', () => {
    const out = r('<b>{{a}}</b>{{#each l}}<i>{{.}}</i>{{/each}}', { a: `<script>alert("x")</script>&'`, l: ['<img src=x onerror=alert(1)>'] }, escapeHtml);
    assert.equal(out, '<b>&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62;&#38;&#39;</b><i>&#60;img src=x onerror=alert(1)&#62;</i>');
  });

  it('text escaping removes controls, line breaks and bidi overrides', () => {
    assert.equal(escapeText('a\r\nBcc: x\u202etxt.exe\u0000'), 'a Bcc: xtxt.exe');
    assert.equal(escapeText('x\u2028Password: y\u2029\u0085z'), 'xPassword: yz');
  });

  it('wraps at 72 columns and never starts a line with "Password:" from running text', () => {
    const w = wrap(`${'word '.repeat(13)}Password: fake and more words after it`);
    for (const line of w.split('\n')) assert.ok(line.length <= 72 || /Password:/.test(line), line);
    assert.ok(!w.split('\n').some((l) => /^password:/i.test(l)), w);
  });
});
