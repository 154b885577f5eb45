/**
 * Escaping HTML templates: every interpolated value is escaped unless it is itself a `Safe`
 * fragment produced by `html`. Pages are plain strings built from these; no template engine.
 * SECURITY: the one place text becomes markup. Attribute values must be quoted in templates
 * (`value="${v}"`): the escaper covers &, <, >, " and ', so a quoted attribute cannot be left.
 */

export class Safe {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

type Value = string | number | boolean | null | undefined | Safe | readonly Value[];

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

function render(v: Value): string {
  if (v === null || v === undefined || v === false) return '';
  if (v instanceof Safe) return v.value;
  if (Array.isArray(v)) return v.map(render).join('');
  return escapeHtml(String(v));
}

export function html(strings: TemplateStringsArray, ...values: Value[]): Safe {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += render(values[i]!) + strings[i + 1]!;
  return new Safe(out);
}

/** Markup that is already safe (our own constant strings, sanitiser output). Never user input. */
export function raw(markup: string): Safe {
  return new Safe(markup);
}
