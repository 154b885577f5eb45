/**
 * Interop: notices parsed by an independent MIME implementation (Python's `email` package, the
 * standard library's RFC 5322/2045–2047 parser) read back exactly what the engine rendered —
 * subject through RFC 2047, bodies through quoted-printable and base64.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { createNotifier } from './notifier.js';
import { TemplateEngine } from './template/engine.js';

const PY = `
import sys, json, email
from email import policy
msg = email.message_from_bytes(sys.stdin.buffer.read(), policy=policy.default)
out = {"subject": str(msg["subject"]), "language": msg["content-language"], "type": msg["x-sealpost-notification"], "from": str(msg["from"])}
body = msg.get_body(preferencelist=("plain",))
html = msg.get_body(preferencelist=("html",))
out["text"] = body.get_content()
out["html"] = html.get_content()
out["attachments"] = [p.get_content_type() for p in msg.iter_attachments()]
print(json.dumps(out))
`;

const hasPython = spawnSync('python3', ['-c', 'import email'], { encoding: 'utf8' }).status === 0;

describe('notices read by Python email (independent parser)', { skip: hasPython ? false : 'python3 not installed' }, () => {
  const engine = new TemplateEngine();
  const notifier = createNotifier({ hostname: 'gw.example.test', node: 'n1', secret: Buffer.alloc(32, 3), from: 'securemail-noreply@example.test', fromName: 'Sécure Mail – Köln', internalDomains: ['example.test'], engine });
  for (const locale of ['ja', 'ru', 'de', 'zh', 'en'] as const) {
    it(`${locale}: subject, text, HTML and the headers attachment come back exactly`, () => {
      const vars = { recipients: ['bob@partner.example'], subject: `Zahlen « ${locale} » 給与 ${'long words '.repeat(12)}`, password: 'Tr0ub4dor&3=x' };
      const n = notifier.compose({ type: 'pdf-password', to: 'alice@example.test', locale, vars, originalHeaders: Buffer.from('Subject: x\r\n\r\n') });
      const r = spawnSync('python3', ['-c', PY], { input: Buffer.from(n.bytes), encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      const got = JSON.parse(r.stdout) as { subject: string; language: string; type: string; from: string; text: string; html: string; attachments: string[] };
      const want = engine.render({ type: 'pdf-password', locale, to: 'alice@example.test', vars });
      assert.equal(got.subject, want.subject);
      assert.equal(got.language, locale);
      assert.equal(got.type, 'pdf-password');
      assert.equal(got.from, 'Sécure Mail – Köln <securemail-noreply@example.test>');
      assert.equal(got.text.replace(/\r\n/g, '\n'), want.text);
      assert.equal(got.html.replace(/\r\n/g, '\n'), want.html);
      assert.ok(got.text.split(/\r?\n/).includes('Password: Tr0ub4dor&3=x'));
      assert.deepEqual(got.attachments, ['text/rfc822-headers']);
    });
  }
});
