import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SealpostError } from '../errors/index.js';
import { buildDsn, type DsnInput } from './dsn.js';
import { assertWireClean, multipart, parseMessage, qpDecode } from './mime-check.test-util.js';


const ORIGINAL = Buffer.from('Received: from mua\r\nFrom: a@example.test\r\nTo: b@example.net\r\nSubject: plans\r\nMessage-ID: <m1@example.test>\r\n\r\nTOP SECRET BODY LINE\r\n');
const T0 = Date.UTC(2025, 0, 2, 3, 4, 5);

function input(over: Partial<DsnInput> = {}): DsnInput {
  return {
    hostname: 'gw.example.test',
    postmaster: 'MAILER-DAEMON@gw.example.test',
    to: 'a@example.test',
    arrivalDate: T0,
    now: T0 + 86_400_000,
    originalHeaders: ORIGINAL,
    recipients: [{ address: 'b@example.net', action: 'failed', status: '5.1.1', diagnostic: '550 5.1.1 no such user', remoteMta: 'relay.example.net', lastAttemptAt: T0 + 60_000 }],
    ...over,
  };
}

describe('buildDsn', () => {
  it('writes the RFC 5322 / RFC 6522 envelope of the report', () => {
    const raw = buildDsn(input());
    assertWireClean(raw);
    const { headers, parts } = multipart(raw.toString('latin1'));
    assert.deepEqual(headers.get('from'), ['Mail Delivery System <MAILER-DAEMON@gw.example.test>']);
    assert.deepEqual(headers.get('to'), ['<a@example.test>']);
    assert.deepEqual(headers.get('subject'), ['Undelivered Mail Returned to Sender']);
    assert.deepEqual(headers.get('auto-submitted'), ['auto-replied']);
    assert.deepEqual(headers.get('x-sealpost-notification'), ['dsn']);
    assert.deepEqual(headers.get('mime-version'), ['1.0']);
    assert.deepEqual(headers.get('date'), ['Fri, 03 Jan 2025 03:04:05 +0000']);
    assert.match(headers.get('message-id')![0]!, /^<[^<>@\s]+@gw\.example\.test>$/);
    assert.match(headers.get('content-type')![0]!, /^multipart\/report; report-type=delivery-status; boundary="[^"]+"$/);
    assert.deepEqual(parts.map((p) => p.headers.get('content-type')?.[0]), ['text/plain; charset=utf-8', 'message/delivery-status', 'text/rfc822-headers']);
  });

  it('carries the RFC 3464 per-message and per-recipient fields', () => {
    const raw = buildDsn(
      input({
        envelopeId: 'ENV-42',
        recipients: [
          { address: 'b@example.net', action: 'failed', status: '5.1.1', diagnostic: '550 5.1.1 no such user', remoteMta: 'relay.example.net', lastAttemptAt: T0 + 60_000 },
          { address: 'c@example.net', action: 'failed', status: '4.4.1', diagnostic: 'connect ECONNREFUSED 192.0.2.1:25' },
        ],
      }),
    );
    const status = multipart(raw.toString('latin1')).parts[1]!.body;
    const groups = status.trim().split('\r\n\r\n').map((g) => parseMessage(`${g}\r\n\r\n`).headers);
    assert.equal(groups.length, 3);
    assert.deepEqual(groups[0]!.get('reporting-mta'), ['dns; gw.example.test']);
    assert.deepEqual(groups[0]!.get('arrival-date'), ['Thu, 02 Jan 2025 03:04:05 +0000']);
    assert.deepEqual(groups[0]!.get('original-envelope-id'), ['ENV-42']);
    const b = groups[1]!;
    assert.deepEqual(b.get('final-recipient'), ['rfc822; b@example.net']);
    assert.deepEqual(b.get('action'), ['failed']);
    assert.deepEqual(b.get('status'), ['5.1.1']);
    assert.deepEqual(b.get('remote-mta'), ['dns; relay.example.net']);
    assert.deepEqual(b.get('diagnostic-code'), ['smtp; 550 5.1.1 no such user']);
    assert.deepEqual(b.get('last-attempt-date'), ['Thu, 02 Jan 2025 03:05:05 +0000']);
    const c = groups[2]!;
    assert.deepEqual(c.get('diagnostic-code'), ['X-Sealpost; connect ECONNREFUSED 192.0.2.1:25'], 'no SMTP reply: not labelled smtp');
    assert.equal(c.get('remote-mta'), undefined);
    assert.equal(c.get('last-attempt-date'), undefined);
  });

  it('explains each recipient in plain text', () => {
    const text = qpDecode(multipart(buildDsn(input()).toString('latin1')).parts[0]!.body).toString('utf8');
    assert.match(text, /your message could not be\r\ndelivered to one or more recipients/, 'wrapped at 72 columns');
    assert.match(text, /<b@example\.net>: host relay\.example\.net said: 550 5\.1\.1 no such user/);
  });

  it('returns the original headers, never the body', () => {
    const raw = buildDsn(input()).toString('latin1');
    assert.ok(!raw.includes('TOP SECRET'));
    const headersPart = multipart(raw).parts[2]!.body;
    assert.equal(headersPart, ORIGINAL.toString('latin1').split('\r\n\r\n')[0] + '\r\n');
  });

  it('keeps 8-bit original headers 7-bit on the wire (quoted-printable) and escapes non-ASCII addresses', () => {
    const original = Buffer.from('From: Jörg <j@example.test>\r\nSubject: Grüße\r\n\r\nbody', 'utf8');
    const raw = buildDsn(input({ originalHeaders: original, recipients: [{ address: 'jöran+x@example.net', action: 'failed', status: '5.1.1', diagnostic: '550 5.1.1 unknown – sorry' }] }));
    assertWireClean(raw);
    const { parts } = multipart(raw.toString('latin1'));
    assert.deepEqual(parts[2]!.headers.get('content-transfer-encoding'), ['quoted-printable']);
    assert.equal(qpDecode(parts[2]!.body).toString('utf8'), 'From: Jörg <j@example.test>\r\nSubject: Grüße\r\n');
    assert.match(parts[1]!.body, /^Final-Recipient: utf-8; j\\x\{F6\}ran\\x\{2B\}x@example\.net$/m);
    assert.match(parts[1]!.body, /^Diagnostic-Code: smtp; 550 5\.1\.1 unknown \? sorry$/m);
  });

  it('says "Delayed Mail" when every recipient is delayed, with Will-Retry-Until', () => {
    const raw = buildDsn(input({ recipients: [{ address: 'b@example.net', action: 'delayed', status: '4.2.0', diagnostic: '450 4.2.0 busy', willRetryUntil: T0 + 5 * 86_400_000 }] }));
    const { headers, parts } = multipart(raw.toString('latin1'));
    assert.deepEqual(headers.get('subject'), ['Delayed Mail (still being retried)']);
    assert.match(parts[1]!.body, /^Action: delayed$/m);
    assert.match(parts[1]!.body, /^Will-Retry-Until: Tue, 07 Jan 2025 03:04:05 \+0000$/m);
  });

  it('folds long replies and strips line breaks from remote text', () => {
    const long = `550 5.7.1 ${'policy '.repeat(300)}\r\nInjected: yes`;
    const raw = buildDsn(input({ recipients: [{ address: 'b@example.net', action: 'failed', status: '5.7.1', diagnostic: long }] }));
    assertWireClean(raw);
    assert.ok(!/\r\nInjected:/.test(raw.toString('latin1')));
  });

  it('refuses malformed input', () => {
    assert.throws(() => buildDsn(input({ recipients: [] })), SealpostError);
    assert.throws(() => buildDsn(input({ recipients: [{ address: 'b@x', action: 'failed', status: '550' }] })), /RFC 3463/);
    assert.throws(() => buildDsn(input({ recipients: [{ address: 'b@x', action: 'delayed', status: '5.1.1' }] })), /4\.x\.x/);
  });
});
