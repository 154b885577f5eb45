import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addressLiteral, buildReceivedHeader, countReceivedHeaders, protocolName, rfc5322Date } from './received-header.js';

const base = {
  helo: 'client.example.org',
  clientHostname: 'rdns.example.org',
  remoteAddress: '192.0.2.10',
  hostname: 'gw.example.com',
  esmtp: true,
  tls: null,
  authenticated: false,
  id: '01HXYZ',
  recipients: ['bob@example.com'],
  date: Date.UTC(2024, 0, 2, 3, 4, 5),
};

test('plain ESMTP with a single recipient', () => {
  assert.equal(
    buildReceivedHeader(base),
    'Received: from client.example.org (rdns.example.org [192.0.2.10])\r\n' +
      '\tby gw.example.com (Sealpost) with ESMTP id 01HXYZ\r\n' +
      '\tfor <bob@example.com>; Tue, 02 Jan 2024 03:04:05 +0000\r\n',
  );
});

test('TLS, authentication, several recipients, no reverse name, IPv6', () => {
  const header = buildReceivedHeader({
    ...base,
    clientHostname: '[2001:db8::5]',
    remoteAddress: '2001:db8::5',
    tls: { protocol: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384' },
    authenticated: true,
    recipients: ['a@example.com', 'b@example.com'],
  });
  assert.equal(
    header,
    'Received: from client.example.org ([IPv6:2001:db8::5])\r\n' +
      '\tby gw.example.com (Sealpost) with ESMTPSA id 01HXYZ\r\n' +
      '\t(version=TLSv1.3 cipher=TLS_AES_256_GCM_SHA384); Tue, 02 Jan 2024 03:04:05 +0000\r\n',
  );
  assert.ok(!header.includes('a@example.com'), 'no recipient list for several recipients');
});

test('hostile HELO and reverse names cannot break out of their clause', () => {
  const header = buildReceivedHeader({ ...base, helo: 'evil) by trusted.example (x; for <x>', clientHostname: 'a(b)c' });
  assert.equal(header.split('\r\n')[0], 'Received: from evil__by_trusted.example__x__for__x_ (a_b_c [192.0.2.10])');
  assert.equal((header.match(/\r\n/g) ?? []).length, 3);
});

test('the for clause uses the ASCII domain and is left out for UTF-8 local parts', () => {
  assert.match(buildReceivedHeader({ ...base, recipients: ['bob@bücher.example'] }), /for <bob@xn--bcher-kva\.example>;/);
  assert.doesNotMatch(buildReceivedHeader({ ...base, recipients: ['jösé@example.com'] }), /for </);
  assert.doesNotMatch(buildReceivedHeader({ ...base, recipients: ['postmaster'] }), /for </);
});

test('protocol names follow RFC 3848', () => {
  assert.equal(protocolName(true, false, false), 'ESMTP');
  assert.equal(protocolName(true, true, false), 'ESMTPS');
  assert.equal(protocolName(true, false, true), 'ESMTPA');
  assert.equal(protocolName(true, true, true), 'ESMTPSA');
  assert.equal(protocolName(false, false, false), 'SMTP');
});

test('helpers', () => {
  assert.equal(rfc5322Date(0), 'Thu, 01 Jan 1970 00:00:00 +0000');
  assert.equal(addressLiteral('::1'), '[IPv6:::1]');
  assert.equal(addressLiteral('127.0.0.1'), '[127.0.0.1]');
});

test('countReceivedHeaders counts only header fields, in the header section', () => {
  const msg = (s: string) => Buffer.from(s, 'latin1');
  assert.equal(countReceivedHeaders(msg('Received: a\r\nreceived : b\r\nRECEIVED:c\r\n\tfolded Received: no\r\nX-Received: no\r\nSubject: s\r\n\r\nReceived: in body\r\n')), 3);
  assert.equal(countReceivedHeaders(msg('Subject: s\r\n\r\n')), 0);
  assert.equal(countReceivedHeaders(msg('\r\nReceived: body only\r\n')), 0);
  assert.equal(countReceivedHeaders(msg('Received: x\r\nReceived: y')), 2);
});
