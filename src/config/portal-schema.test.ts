import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfigText } from './index.js';

const parse = (portal: string) => parseConfigText(`hostname: gw.example.test\ninternalDomains: [example.test]\n${portal}\n`, '/tmp/sealpost.yaml');

test('portal section: off by default, durations parsed, reminders sorted by the back-end, https only, tls cert and key together', () => {
  const d = parse('').portal;
  assert.equal(d.enabled, false, 'no public listener nobody asked for');
  assert.deepEqual([d.listen, d.baseUrl, d.reminders, d.notifySender, d.expiredNotice], ['127.0.0.1:8443', 'https://localhost:8443', [], false, true]);
  assert.deepEqual(d.retention, { messages: 30 * 86_400_000, sent: 90 * 86_400_000, audit: 365 * 86_400_000 });
  const c = parse('portal: { enabled: true, reminders: [3d, 1d], session: { idle: 10m }, lockout: { maxFailures: 3 }, maxUpload: 5MB }').portal;
  assert.deepEqual([c.enabled, c.reminders, c.session.idle, c.session.maxAge, c.lockout.maxFailures, c.maxUpload], [true, [3 * 86_400_000, 86_400_000], 600_000, 12 * 3600_000, 3, 5 * 1024 * 1024]);
  assert.throws(() => parse('portal: { baseUrl: "http://localhost:8443" }'), /portal\.baseUrl must be an https:\/\/ URL/);
  assert.throws(() => parse('portal: { tls: { cert: portal.pem } }'), /needs both cert and key/);
  assert.throws(() => parse('portal: { remindres: [1d] }'), /remindres/);
});

test('a profile that orders only the portal needs the portal enabled', () => {
  assert.throws(() => parse('profiles: { default: { order: [portal] } }'), /profile "default" uses only the portal, but portal\.enabled is false/);
  assert.equal(parse('portal: { enabled: true }\nprofiles: { default: { order: [portal] } }').profiles.default?.order[0], 'portal');
  assert.ok(parse('profiles: { default: { order: [smime, portal] } }'), 'another method can still serve');
});
