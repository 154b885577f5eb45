import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DomainList, NetworkList, createRelayPolicy, decideRecipient, isLoopbackHost, sessionMayRelay } from './relay-rules.js';
import { SealpostError } from '../errors/index.js';

test('NetworkList matches IPv4 CIDRs, including IPv4-mapped IPv6 peers', () => {
  const list = new NetworkList(['10.0.0.0/8', '192.168.1.7', '127.0.0.1/32']);
  assert.equal(list.contains('10.1.2.3'), true);
  assert.equal(list.contains('11.0.0.1'), false);
  assert.equal(list.contains('192.168.1.7'), true);
  assert.equal(list.contains('192.168.1.8'), false);
  assert.equal(list.contains('::ffff:127.0.0.1'), true);
  assert.equal(list.contains('::ffff:10.200.0.1'), true);
  assert.equal(list.contains('::ffff:11.0.0.1'), false);
  assert.equal(list.contains('::1'), false);
  assert.equal(list.contains('not-an-ip'), false);
  assert.equal(list.contains(''), false);
});

test('NetworkList matches IPv6 CIDRs', () => {
  const list = new NetworkList(['2001:db8::/32', '::1/128']);
  assert.equal(list.contains('2001:db8:ffff::1'), true);
  assert.equal(list.contains('2001:DB8::1'), true);
  assert.equal(list.contains('2001:db9::1'), false);
  assert.equal(list.contains('::1'), true);
  assert.equal(list.contains('127.0.0.1'), false);
});

test('NetworkList edge prefixes: /0 matches everything of its family', () => {
  const v4 = new NetworkList(['0.0.0.0/0']);
  assert.equal(v4.contains('203.0.113.9'), true);
  assert.equal(v4.contains('2001:db8::1'), false);
  assert.equal(new NetworkList([]).contains('127.0.0.1'), false);
});

test('NetworkList refuses malformed CIDRs with context', () => {
  for (const bad of ['10.0.0.0/33', '10.0.0/8', 'example.com/8', '::1/129', '10.0.0.0/', '10.0.0.0/8/1', '10.0.0.0/x']) {
    assert.throws(() => new NetworkList([bad]), (err: unknown) => err instanceof SealpostError && err.code === 'SP_ERR_CONFIG_INVALID' && err.message.includes(bad), bad);
  }
});

test('DomainList: exact entries match only themselves, *.entries only subdomains', () => {
  const list = new DomainList(['example.com', '*.corp.example']);
  assert.equal(list.matches('example.com'), true);
  assert.equal(list.matches('EXAMPLE.COM'), true);
  assert.equal(list.matches('example.com.'), true);
  assert.equal(list.matches('mail.example.com'), false);
  assert.equal(list.matches('badexample.com'), false);
  assert.equal(list.matches('corp.example'), false, 'the apex is not implied by the wildcard');
  assert.equal(list.matches('a.corp.example'), true);
  assert.equal(list.matches('a.b.corp.example'), true);
  assert.equal(list.matches('xcorp.example'), false);
  assert.equal(list.matches(''), false);
});

test('DomainList compares IDNs in their ASCII form', () => {
  const list = new DomainList(['bücher.example']);
  assert.equal(list.matches('xn--bcher-kva.example'), true);
  assert.equal(list.matches('BÜCHER.example'), true);
  assert.throws(() => new DomainList(['a.*.example']), SealpostError);
});

const auto = createRelayPolicy({ direction: 'auto', internalDomains: ['example.com', '*.example.com'], relayFrom: ['10.0.0.0/8'] });

test('auto: internal recipients are inbound for anyone', () => {
  assert.deepEqual(decideRecipient(auto, 'bob@example.com', false), { ok: true, direction: 'inbound' });
  assert.deepEqual(decideRecipient(auto, 'bob@sub.example.com', false), { ok: true, direction: 'inbound' });
  assert.deepEqual(decideRecipient(auto, 'bob@example.com', true), { ok: true, direction: 'inbound' });
  assert.deepEqual(decideRecipient(auto, 'postmaster', false), { ok: true, direction: 'inbound' });
});

test('auto: external recipients are outbound only for relaying sessions', () => {
  assert.deepEqual(decideRecipient(auto, 'eve@elsewhere.org', true), { ok: true, direction: 'outbound' });
  assert.deepEqual(decideRecipient(auto, 'eve@elsewhere.org', false), { ok: false, reason: 'relay-denied' });
  assert.deepEqual(decideRecipient(auto, 'eve@example.com.evil.org', false), { ok: false, reason: 'relay-denied' });
  assert.deepEqual(decideRecipient(auto, 'eve@[192.0.2.1]', false), { ok: false, reason: 'relay-denied' });
});

test('sessionMayRelay: relayFrom network or authentication', () => {
  assert.equal(sessionMayRelay(auto, '10.9.9.9', false), true);
  assert.equal(sessionMayRelay(auto, '::ffff:10.9.9.9', false), true);
  assert.equal(sessionMayRelay(auto, '127.0.0.1', false), false);
  assert.equal(sessionMayRelay(auto, '127.0.0.1', true), true);
});

test('inbound listener: only internal recipients, whoever connects', () => {
  const inbound = createRelayPolicy({ direction: 'inbound', internalDomains: ['example.com'], relayFrom: ['0.0.0.0/0'] });
  assert.deepEqual(decideRecipient(inbound, 'bob@example.com', false), { ok: true, direction: 'inbound' });
  assert.deepEqual(decideRecipient(inbound, 'eve@elsewhere.org', true), { ok: false, reason: 'not-internal' });
});

test('outbound listener: every recipient outbound, but only for relaying sessions', () => {
  const outbound = createRelayPolicy({ direction: 'outbound', internalDomains: ['example.com'], relayFrom: [] });
  assert.deepEqual(decideRecipient(outbound, 'eve@elsewhere.org', true), { ok: true, direction: 'outbound' });
  assert.deepEqual(decideRecipient(outbound, 'bob@example.com', true), { ok: true, direction: 'outbound' });
  assert.deepEqual(decideRecipient(outbound, 'eve@elsewhere.org', false), { ok: false, reason: 'relay-denied' });
});

test('isLoopbackHost', () => {
  for (const h of ['127.0.0.1', '127.0.0.2', '::1', 'localhost', '::ffff:127.0.0.1']) assert.equal(isLoopbackHost(h), true, h);
  for (const h of ['0.0.0.0', '::', '192.0.2.1', 'mail.example.com', '']) assert.equal(isLoopbackHost(h), false, h);
});
