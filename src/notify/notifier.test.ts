import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { verifyMarker } from '../classify/loop-marker.js';
import { assertWireClean, multipart, parseMessage, qpDecode } from './mime-check.test-util.js';
import { createNotifier, directionFor } from './notifier.js';

const NOW = Date.UTC(2025, 5, 1, 12, 0, 0);
const SECRET = Buffer.alloc(32, 7);
const options = { hostname: 'gw.example.test', node: 'n1', secret: SECRET, from: 'securemail-noreply@example.test', fromName: 'Secure Mail', internalDomains: ['example.test', '*.corp.example.test'], now: () => NOW };

describe('Notifier (English)', () => {
  it('composes a stamped pdf-password notice with the Password line on its own line', () => {
    const n = createNotifier(options).compose({ type: 'pdf-password', to: 'alice@example.test', vars: { recipients: ['bob@example.net', 'carol@example.org'], subject: 'plans', password: 'Xy7-=qq' } });
    assert.equal(n.key, 'pdf-password:alice@example.test');
    assert.equal(n.recipient, 'alice@example.test');
    assert.equal(n.direction, 'inbound');
    const raw = Buffer.from(n.bytes);
    assertWireClean(raw);
    const { headers } = parseMessage(raw.toString('latin1'));
    assert.deepEqual(headers.get('x-sealpost-notification'), ['pdf-password']);
    assert.deepEqual(headers.get('auto-submitted'), ['auto-generated']);
    assert.deepEqual(headers.get('from'), ['"Secure Mail" <securemail-noreply@example.test>']);
    const marker = verifyMarker(SECRET, headers.get('x-sealpost-processed')![0]!, headers.get('message-id')![0]!, NOW);
    assert.ok(marker, 'valid loop marker');
    assert.equal(marker.direction, 'inbound');
    const text = textOf(raw);
    assert.match(text, /\r\nPassword: Xy7-=qq\r\n/);
    assert.match(text, /\r\n  - bob@example\.net\r\n  - carol@example\.org\r\n/);
  });

  it('sends to external addresses through the outbound hop and honours key', () => {
    const n = createNotifier(options).compose({ type: 'portal-message', to: 'x@partner.example', key: 'k1', vars: { sender: 'a@example.test', subject: 's', link: 'https://portal.example.test/m/1' } });
    assert.equal(n.direction, 'outbound');
    assert.equal(n.key, 'k1');
    assert.match(textOf(Buffer.from(n.bytes)), /https:\/\/portal\.example\.test\/m\/1/);
  });

  it('attaches the original header block only', () => {
    const n = createNotifier(options).compose({ type: 'quarantined', to: 'a@example.test', vars: { subject: 's', id: 'q1' }, originalHeaders: Buffer.from('Subject: s\r\n\r\nSECRET BODY\r\n') });
    const s = Buffer.from(n.bytes).toString('latin1');
    assert.ok(!s.includes('SECRET BODY'));
    assert.ok(multipart(s).parts.some((p) => p.headers.get('content-type')?.[0] === 'text/rfc822-headers'));
  });

  it('keeps hostile variables out of the headers', () => {
    const n = createNotifier(options).compose({ type: 'blocked', to: 'a@example.test', vars: { subject: 'x\r\nBcc: victim@example.net' } });
    assert.ok(!/\r\nBcc:/i.test(Buffer.from(n.bytes).toString('latin1')));
  });

  it('decides direction by internal domains, wildcards included', () => {
    assert.equal(directionFor('a@Example.TEST', options.internalDomains), 'inbound');
    assert.equal(directionFor('a@x.corp.example.test', options.internalDomains), 'inbound');
    assert.equal(directionFor('a@corp.example.test', options.internalDomains), 'outbound');
    assert.equal(directionFor('a@example.net', options.internalDomains), 'outbound');
  });
});

function textOf(raw: Buffer): string {
  const s = raw.toString('latin1');
  const msg = parseMessage(s);
  if (!/^multipart\//.test(msg.headers.get('content-type')?.[0] ?? '')) return qpDecode(msg.body).toString('utf8');
  return qpDecode(multipart(s).parts[0]!.body).toString('utf8');
}
