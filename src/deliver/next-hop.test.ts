import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SealpostError } from '../errors/index.js';
import { describeHop, parseNextHop } from './next-hop.js';
import { classifyCode, parseReply } from './reply.js';
import { parseExtensions } from './connection.js';

describe('parseNextHop', () => {
  it('parses each scheme with its default port', () => {
    assert.deepEqual(parseNextHop('smtp://relay.example.test'), { kind: 'smtp', host: 'relay.example.test', port: 25 });
    assert.deepEqual(parseNextHop('smtp://127.0.0.1:10026'), { kind: 'smtp', host: '127.0.0.1', port: 10026 });
    assert.deepEqual(parseNextHop('smtps://Relay.Example.test'), { kind: 'smtps', host: 'relay.example.test', port: 465 });
    assert.deepEqual(parseNextHop('submission://u:p@smtp.office365.com'), { kind: 'submission', host: 'smtp.office365.com', port: 587, auth: { user: 'u', pass: 'p' } });
    assert.deepEqual(parseNextHop('smtp://[::1]:2525/'), { kind: 'smtp', host: '::1', port: 2525 });
    assert.deepEqual(parseNextHop(' capture '), { kind: 'capture' });
    assert.deepEqual(parseNextHop('mx'), { kind: 'mx' });
  });

  it('URL-decodes submission credentials', () => {
    const hop = parseNextHop('submission://relay%40example.test:p%40ss%3Aw%2Frd%25@mail.example.test:2587');
    assert.deepEqual(hop, { kind: 'submission', host: 'mail.example.test', port: 2587, auth: { user: 'relay@example.test', pass: 'p@ss:w/rd%' } });
  });

  for (const [spec, reason] of [
    ['', /empty/],
    ['http://relay.example.test', /unknown scheme/],
    ['relay.example.test:25', /unknown scheme/],
    ['smtp://', /not a valid URL|missing host/],
    ['smtp://relay.example.test:0', /out of range/],
    ['smtp://relay.example.test:70000', /not a valid URL|out of range/],
    ['smtp://relay.example.test/path', /path/],
    ['smtp://relay.example.test?x=1', /query/],
    ['smtp://u:secret@relay.example.test', /credentials are not allowed/],
    ['submission://relay.example.test', /needs user:password/],
    ['submission://u@relay.example.test', /needs user:password/],
    ['submission://u:%E0%A4%A@relay.example.test', /percent-encoding/],
    ['smtp://relay example', /whitespace/],
  ] as const) {
    it(`refuses ${JSON.stringify(spec)}`, () => {
      assert.throws(
        () => parseNextHop(spec),
        (err: unknown) => err instanceof SealpostError && err.code === 'SP_ERR_CONFIG_INVALID' && reason.test(err.message) && !err.message.includes('secret'),
      );
    });
  }

  it('describeHop never prints the password', () => {
    const hop = parseNextHop('submission://user%40x:top%20secret@relay.example.test');
    assert.equal(describeHop(hop), 'submission://user%40x@relay.example.test:587');
    assert.equal(describeHop(parseNextHop('smtps://u:pw@[2001:db8::1]')), 'smtps://u@[2001:db8::1]:465');
    assert.equal(describeHop(parseNextHop('smtp://h')), 'smtp://h:25');
    assert.equal(describeHop(parseNextHop('capture')), 'capture');
  });
});

describe('SMTP replies', () => {
  it('parses code, enhanced code and multi-line text onto one line', () => {
    assert.deepEqual(parseReply('250 2.0.0 Ok: queued'), { text: '250 2.0.0 Ok: queued', code: 250, enhanced: '2.0.0' });
    assert.deepEqual(parseReply('550-5.1.1 The email account does not exist.\n550 5.1.1 Please check the address.'), {
      text: '550 5.1.1 The email account does not exist. Please check the address.',
      code: 550,
      enhanced: '5.1.1',
    });
    assert.deepEqual(parseReply('421 closing'), { text: '421 closing', code: 421 });
    assert.deepEqual(parseReply('garbage'), { text: 'garbage' });
  });

  it('classifies 2xx delivered, 4xx deferred, 5xx bounced, 503 deferred', () => {
    assert.equal(classifyCode(250), 'delivered');
    assert.equal(classifyCode(451), 'deferred');
    assert.equal(classifyCode(550), 'bounced');
    assert.equal(classifyCode(554), 'bounced');
    assert.equal(classifyCode(503), 'deferred');
    assert.equal(classifyCode(354), 'deferred');
    assert.equal(classifyCode(undefined), 'deferred');
  });

  it('reads EHLO extensions, and knows when the last reply was not an EHLO reply', () => {
    const ext = parseExtensions('250-mx.example.net Hello\n250-PIPELINING\n250-SIZE 1000\n250-8BITMIME\n250 SMTPUTF8');
    assert.equal(ext.known, true);
    assert.deepEqual([...ext.names].sort(), ['8BITMIME', 'PIPELINING', 'SIZE', 'SMTPUTF8']);
    assert.equal(ext.maxSize, 1000);
    assert.equal(parseExtensions('454 4.7.0 TLS not available').known, false);
    assert.equal(parseExtensions(false).known, false);
  });
});
