/** TLS policy lookup, fingerprints, certificate name matching, and MX ordering. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PeerCertificate } from 'node:tls';
import { describe, it } from 'node:test';
import { orderMx } from './mx-deliverer.js';
import { loadTrustStore, matchesHostname, matchesNexthop, normaliseFingerprint, TlsPolicyTable } from './tls-policy.js';

const cert = (names: string[], cn = names[0] ?? 'x'): PeerCertificate => ({ subject: { CN: cn }, subjectaltname: names.map((n) => `DNS:${n}`).join(', ') }) as unknown as PeerCertificate;

describe('TlsPolicyTable', () => {
  const table = new TlsPolicyTable([
    { domain: 'example.com', level: 'secure' },
    { domain: '*.example.com', level: 'verify' },
    { domain: '.mail.example.com', level: 'encrypt' },
    { domain: 'relay.example.net', level: 'fingerprint', fingerprints: ['AA:'.repeat(31) + 'AA', 'zz'] },
    { domain: 'example.com', level: 'none' },
  ]);

  it('finds the exact entry first, then the closest pattern; a pattern does not cover the domain itself', () => {
    assert.equal(table.lookup('example.com')?.level, 'secure', 'first entry of a domain wins');
    assert.equal(table.lookup('EXAMPLE.com.')?.level, 'secure');
    assert.equal(table.lookup('a.example.com')?.level, 'verify');
    assert.equal(table.lookup('x.mail.example.com')?.level, 'encrypt', 'Postfix\'s .domain form, closest wins');
    assert.equal(table.lookup('mail.example.com')?.level, 'verify');
    assert.equal(table.lookup('example.org'), undefined);
    assert.equal(table.lookup('com'), undefined);
  });

  it('applies the fallback level without an entry and normalises pinned fingerprints', () => {
    assert.deepEqual(table.apply('other.test', 'MX.other.test', 'may'), { level: 'may', hostname: 'mx.other.test', nexthop: 'other.test', fingerprints: [] });
    assert.deepEqual(table.apply('relay.example.net', 'relay.example.net', 'verify').fingerprints, ['aa'.repeat(32)]);
  });

  it('reads SHA-256 fingerprints with or without colons, in any case', () => {
    assert.equal(normaliseFingerprint('AB:cd:' + '00:'.repeat(29) + 'FF'), 'abcd' + '00'.repeat(29) + 'ff');
    assert.equal(normaliseFingerprint('ab'.repeat(32)), 'ab'.repeat(32));
    assert.equal(normaliseFingerprint('ab'.repeat(20)), undefined, 'SHA-1 length is not accepted');
    assert.equal(normaliseFingerprint('xyz'), undefined);
  });
});

describe('loadTrustStore', () => {
  it('reads PEM certificates; a missing file or one without a certificate is a config error naming the key', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sealpost-ca-file-'));
    try {
      const good = join(dir, 'ca.pem');
      writeFileSync(good, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
      assert.match(loadTrustStore(good), /BEGIN CERTIFICATE/);
      const empty = join(dir, 'empty.pem');
      writeFileSync(empty, 'nothing');
      assert.throws(() => loadTrustStore(empty), { code: 'SP_ERR_CONFIG_INVALID', message: /delivery\.tls\.caFile: .*empty\.pem holds no PEM certificate/ });
      assert.throws(() => loadTrustStore(join(dir, 'missing.pem')), { code: 'SP_ERR_CONFIG_INVALID', message: /delivery\.tls\.caFile: cannot read .*missing\.pem: ENOENT/ });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('certificate names', () => {
  it('verify: RFC 6125 host-name match (one-label wildcards)', () => {
    assert.ok(matchesHostname(cert(['mx.example.com']), 'mx.example.com'));
    assert.ok(matchesHostname(cert(['*.example.com']), 'mx.example.com'));
    assert.ok(!matchesHostname(cert(['*.example.com']), 'a.b.example.com'));
    assert.ok(!matchesHostname(cert(['mx.example.org']), 'mx.example.com'));
  });

  it('secure: the next-hop domain or any name below it (nexthop:dot-nexthop)', () => {
    assert.ok(matchesNexthop(cert(['example.com']), 'example.com'));
    assert.ok(matchesNexthop(cert(['mx1.mail.example.com']), 'example.com'));
    assert.ok(matchesNexthop(cert(['*.example.com']), 'example.com'));
    assert.ok(!matchesNexthop(cert(['example.com.evil.test']), 'example.com'));
    assert.ok(!matchesNexthop(cert(['notexample.com']), 'example.com'));
    assert.ok(!matchesNexthop(cert(['*.com']), 'example.com'));
    assert.ok(matchesNexthop(cert([], 'mx.example.com'), 'example.com'), 'the CN counts when there is no DNS SAN');
    assert.ok(!matchesNexthop(cert(['mx.example.org'], 'mx.example.com'), 'example.com'), 'the CN is ignored when SANs exist');
  });
});

describe('orderMx', () => {
  const records = [
    { exchange: 'c', priority: 20 },
    { exchange: 'a', priority: 10 },
    { exchange: 'b', priority: 10 },
    { exchange: 'd', priority: 30 },
    { exchange: 'a', priority: 10 },
  ];

  it('sorts by preference, shuffles only within equal preferences, and drops duplicates', () => {
    assert.deepEqual(orderMx(records, () => 0.99), ['a', 'b', 'c', 'd']);
    assert.deepEqual(orderMx(records, () => 0), ['b', 'a', 'c', 'd']);
  });
});
