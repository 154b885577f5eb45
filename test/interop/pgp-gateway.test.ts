/**
 * The pgp method and inbound PGP through the whole gateway over SMTP, checked with the real gpg:
 * outbound `[secure]` mail to a partner whose key is in the keyring leaves as PGP/MIME that gpg
 * decrypts and whose signature (the sender's hosted key) gpg verifies; inbound PGP/MIME and
 * PGP/INLINE mail that gpg encrypted and signed for a hosted user is decrypted and verified by the
 * gateway (X-Sealpost-Action / X-Sealpost-Signature); domain-to-domain both ways.
 * One gpg home per file; Curve25519 keys here (RSA-3072 in pgp-messages.test.ts).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { gatewayWithSink, startGateway, type GatewayWithSink } from '../helpers/gateway.js';
import { Gpg } from '../helpers/gpg.js';
import { splitPgpMimeEncrypted } from '../../src/crypto/pgp/index.js';

let gpg: Gpg;
let alice: string; // hosted: internal sender/recipient, secret key in the gateway
let bob: string; // partner: public key in the gateway, secret key in gpg
before(async () => {
  gpg = Gpg.create();
  alice = await gpg.generate('alice@example.test', 'curve25519');
  bob = await gpg.generate('bob@partner.test', 'curve25519');
});
after(() => gpg.close());

function scenario(t: { after(fn: () => Promise<void>): void }, extra = ''): Promise<GatewayWithSink> {
  return gatewayWithSink(t, `${extra.includes('profiles:') ? '' : 'profiles: { default: { queueTimeout: 1h } }\n'}${extra}`);
}

test('outbound: [secure] to a partner with a key leaves as PGP/MIME; gpg decrypts it and verifies the sender\'s signature', async (t) => {
  const s = await scenario(t);
  await s.gw.app.pgp.keyring.import(await gpg.exportSecret(alice));
  await s.gw.app.pgp.keyring.import(await gpg.exportPublic(bob));
  const raw = 'From: alice@example.test\r\nTo: bob@partner.test\r\nSubject: [secure] price list\r\nMessage-ID: <pgp-out-1@example.test>\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nThe confidential price is 42 \u20ac.\r\n';
  await s.send('alice@example.test', ['bob@partner.test'], Buffer.from(raw, 'utf8'));
  await s.sink.waitFor(1, 20_000);
  const got = s.sink.messages[0]!;
  const text = got.body.toString('latin1');
  assert.match(text, /Content-Type: multipart\/encrypted; protocol="application\/pgp-encrypted"/);
  assert.match(text, /^Subject: price list\r$/m);
  assert.doesNotMatch(text, /confidential/);
  const armored = splitPgpMimeEncrypted(Buffer.from(text.slice(text.indexOf('Content-Type: multipart/encrypted')), 'latin1'));
  assert.ok(armored);
  const d = await gpg.decrypt(armored);
  assert.equal(d.code, 0, d.stderr);
  assert.ok(d.status.includes('DECRYPTION_OKAY') && d.status.includes('GOODMDC'), 'SEIPD v1 with MDC, checked by gpg');
  assert.ok(d.status.some((l) => l.startsWith(`GOODSIG`)) && d.status.some((l) => l.startsWith(`VALIDSIG ${alice.toUpperCase()}`)), 'signed by Alice\'s hosted key');
  const inner = d.stdout.toString('utf8');
  assert.match(inner, /^Content-Type: text\/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nThe confidential price is 42 \u20ac\.\r\n$/, 'the inner MIME entity, intact');
});

test('inbound: gpg-encrypted and signed PGP/MIME and PGP/INLINE for a hosted user are decrypted and verified', async (t) => {
  const s = await scenario(t);
  await s.gw.app.pgp.keyring.import(await gpg.exportSecret(alice));
  await s.gw.app.pgp.keyring.import(await gpg.exportPublic(bob));
  const entity = 'Content-Type: text/plain; charset=us-ascii\r\n\r\nMeet at noon.\r\n';
  const enc = (await gpg.encrypt(entity, [alice], { signer: bob })).toString().replace(/\r?\n/g, '\r\n');
  const mime = `From: bob@partner.test\r\nTo: alice@example.test\r\nSubject: pgp mime\r\nMessage-ID: <pgp-in-1@partner.test>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/encrypted; protocol="application/pgp-encrypted"; boundary="b1"\r\n\r\n--b1\r\nContent-Type: application/pgp-encrypted\r\n\r\nVersion: 1\r\n\r\n--b1\r\nContent-Type: application/octet-stream\r\n\r\n${enc}\r\n--b1--\r\n`;
  const inlineText = (await gpg.encrypt('Inline secret line.\n', [alice], { signer: bob, textmode: true })).toString().replace(/\r?\n/g, '\r\n');
  const inline = `From: bob@partner.test\r\nTo: alice@example.test\r\nSubject: pgp inline\r\nMessage-ID: <pgp-in-2@partner.test>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${inlineText}`;
  const notOurs = (await gpg.encrypt(entity, [bob])).toString().replace(/\r?\n/g, '\r\n');
  const foreign = `From: bob@partner.test\r\nTo: alice@example.test\r\nSubject: not for us\r\nMessage-ID: <pgp-in-3@partner.test>\r\nContent-Type: text/plain\r\n\r\n${notOurs}`;
  const forged = `From: bob@partner.test\r\nTo: alice@example.test\r\nSubject: forged verdict\r\nMessage-ID: <pgp-in-4@partner.test>\r\nX-Sealpost-Signature: valid; signer=ceo@example.test\r\nContent-Type: text/plain\r\n\r\nhello\r\n`;
  const sed = (await gpg.encrypt(entity, [alice], { extra: ['--rfc2440'] })).toString().replace(/\r?\n/g, '\r\n');
  const noMdc = `From: bob@partner.test\r\nTo: alice@example.test\r\nSubject: no mdc\r\nMessage-ID: <pgp-in-5@partner.test>\r\nContent-Type: multipart/encrypted; protocol="application/pgp-encrypted"; boundary="b5"\r\n\r\n--b5\r\nContent-Type: application/pgp-encrypted\r\n\r\nVersion: 1\r\n--b5\r\nContent-Type: application/octet-stream\r\n\r\n${sed}\r\n--b5--\r\n`;
  await s.send('bob@partner.test', ['alice@example.test'], mime);
  await s.send('bob@partner.test', ['alice@example.test'], inline);
  await s.send('bob@partner.test', ['alice@example.test'], foreign);
  await s.send('bob@partner.test', ['alice@example.test'], forged);
  await s.send('bob@partner.test', ['alice@example.test'], noMdc);
  await s.sink.waitFor(5, 20_000);
  const by = (subject: string) => s.sink.messages.find((m) => m.body.toString('latin1').includes(`Subject: ${subject}`))!.body.toString('utf8');
  const m1 = by('pgp mime');
  assert.match(m1, /^X-Sealpost-Action: decrypted\r$/m);
  assert.match(m1, /^X-Sealpost-Signature: valid; signer=bob@partner\.test\r$/m);
  assert.match(m1, /Content-Type: text\/plain; charset=us-ascii\r\n\r\nMeet at noon\.\r\n/);
  assert.doesNotMatch(m1, /BEGIN PGP MESSAGE/);
  const m2 = by('pgp inline');
  assert.match(m2, /^X-Sealpost-Action: decrypted\r$/m);
  assert.match(m2, /^X-Sealpost-Signature: valid; signer=bob@partner\.test\r$/m);
  assert.match(m2, /Inline secret line\./);
  const m3 = by('not for us');
  assert.match(m3, /^X-Sealpost-Action: delivered\r$/m);
  assert.match(m3, /BEGIN PGP MESSAGE/, 'passed on as is');
  const m4 = by('forged verdict');
  assert.doesNotMatch(m4, /X-Sealpost-Signature: valid/, 'an incoming verdict header is stripped');
  const m5 = by('no mdc');
  assert.match(m5, /^X-Sealpost-Action: failed-to-decrypt\r$/m, 'gpg --rfc2440 data (SED, no MDC) is refused');
  assert.doesNotMatch(m5, /Meet at noon/, 'nothing decrypted leaks');
});

test('inbound: a detached PGP/MIME signature is verified over the exact bytes and kept; a changed body is invalid', async (t) => {
  const s = await scenario(t);
  await s.gw.app.pgp.keyring.import(await gpg.exportPublic(bob));
  const part = 'Content-Type: text/plain; charset=us-ascii\r\n\r\nSigned, not sealed.\r\n';
  const sig = (await gpg.detachSign(part, bob)).toString().replace(/\r?\n/g, '\r\n');
  const signed = (body: string, subject: string) => `From: bob@partner.test\r\nTo: alice@example.test\r\nSubject: ${subject}\r\nMessage-ID: <${subject.replace(/ /g, '-')}@partner.test>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/signed; micalg=pgp-sha256; protocol="application/pgp-signature"; boundary="s1"\r\n\r\n--s1\r\n${body}\r\n--s1\r\nContent-Type: application/pgp-signature\r\n\r\n${sig}\r\n--s1--\r\n`;
  await s.send('bob@partner.test', ['alice@example.test'], signed(part, 'good sig'));
  await s.send('bob@partner.test', ['alice@example.test'], signed(part.replace('Signed', 'Changed'), 'bad sig'));
  await s.sink.waitFor(2, 20_000);
  const by = (subject: string) => s.sink.messages.find((m) => m.body.toString('latin1').includes(`Subject: ${subject}`))!.body.toString('latin1');
  assert.match(by('good sig'), /^X-Sealpost-Signature: valid; signer=bob@partner\.test\r$/m);
  assert.match(by('good sig'), /multipart\/signed/, 'the signature is kept for the client');
  assert.match(by('bad sig'), /^X-Sealpost-Signature: invalid\r$/m);
});

test('domain-to-domain: a partner domain key encrypts everything to that domain; our domain key decrypts inbound mail for any internal user', async (t) => {
  const partnerDomain = await gpg.generate('gateway@partner.test', 'curve25519');
  // our own domain key is generated by the gateway and handed to the partner (gpg)
  const probe = await startGateway('');
  const ours = await probe.app.pgp.keyring.generate({ name: 'example.test domain key' });
  const ourSecret = (await probe.app.pgp.keyring.secretKey(ours.record.fingerprint))!.armor();
  await probe.close();
  const { gw, sink, send } = await gatewayWithSink(t, `pgp: { domains: [ { domain: partner.test, keys: ["${partnerDomain}"] }, { domain: example.test, keys: ["${ours.record.fingerprint}"] } ] }\n`);
  await gw.app.pgp.keyring.import(await gpg.exportPublic(partnerDomain));
  await gw.app.pgp.keyring.import(Buffer.from(ourSecret));
  await gpg.import(ours.armoredPublicKey);
  await send('alice@example.test', ['zed@partner.test'], 'From: alice@example.test\r\nTo: zed@partner.test\r\nSubject: [secure] d2d\r\nContent-Type: text/plain\r\n\r\nto the partner gateway\r\n');
  const enc = (await gpg.encrypt('Content-Type: text/plain\r\n\r\nfrom the partner gateway\r\n', [ours.record.fingerprint])).toString().replace(/\r?\n/g, '\r\n');
  await send('zed@partner.test', ['carol@example.test'], `From: zed@partner.test\r\nTo: carol@example.test\r\nSubject: d2d in\r\nContent-Type: multipart/encrypted; protocol="application/pgp-encrypted"; boundary="x"\r\n\r\n--x\r\nContent-Type: application/pgp-encrypted\r\n\r\nVersion: 1\r\n--x\r\nContent-Type: application/octet-stream\r\n\r\n${enc}\r\n--x--\r\n`);
  await sink.waitFor(2, 20_000);
  const out = sink.messages.find((m) => m.to.includes('zed@partner.test'))!.body;
  const d = await gpg.decrypt(splitPgpMimeEncrypted(Buffer.from(out.toString('latin1').slice(out.toString('latin1').indexOf('Content-Type: multipart/encrypted')), 'latin1'))!);
  assert.equal(d.code, 0, d.stderr);
  assert.match(d.stdout.toString(), /to the partner gateway/);
  const inbound = sink.messages.find((m) => m.to.includes('carol@example.test'))!.body.toString('latin1');
  assert.match(inbound, /^X-Sealpost-Action: decrypted\r$/m);
  assert.match(inbound, /from the partner gateway/);
});

test('Autocrypt: a key offered in the header is learnt only when the message\'s signature verifies with it; then it encrypts', async (t) => {
  const s = await scenario(t, 'pgp: { autocrypt: { learn: true } }\n');
  const erin = await gpg.generate('erin@partner.test', 'curve25519');
  const fake = await gpg.generate('fake@partner.test', 'curve25519');
  const keydata = (await gpg.exportPublic(erin, false)).toString('base64').replace(/(.{76})/g, '$1\r\n ');
  const part = 'Content-Type: text/plain\r\n\r\nHi, here is my key.\r\n';
  const signedMail = async (signer: string, subject: string) => {
    const sig = (await gpg.detachSign(part, signer)).toString().replace(/\r?\n/g, '\r\n');
    return `From: Erin <erin@partner.test>\r\nTo: alice@example.test\r\nSubject: ${subject}\r\nMessage-ID: <${subject.replace(/ /g, '.')}@partner.test>\r\nAutocrypt: addr=erin@partner.test; prefer-encrypt=mutual; keydata=\r\n ${keydata}\r\nMIME-Version: 1.0\r\nContent-Type: multipart/signed; micalg=pgp-sha256; protocol="application/pgp-signature"; boundary="ac"\r\n\r\n--ac\r\n${part}\r\n--ac\r\nContent-Type: application/pgp-signature\r\n\r\n${sig}\r\n--ac--\r\n`;
  };
  // signed by another key: the Autocrypt key is not learnt
  await s.send('erin@partner.test', ['alice@example.test'], await signedMail(fake, 'wrong signer'));
  await s.sink.waitFor(1, 20_000);
  assert.match(s.sink.messages[0]!.body.toString('latin1'), /^X-Sealpost-Signature: untrusted\r$/m);
  assert.equal(await s.gw.app.pgp.keyring.store.get(erin), null);
  await s.send('erin@partner.test', ['alice@example.test'], await signedMail(erin, 'first contact'));
  await s.sink.waitFor(2, 20_000);
  assert.match(s.sink.messages[1]!.body.toString('latin1'), /^X-Sealpost-Signature: untrusted; signer=erin@partner\.test\r$/m, 'first contact is never "valid"');
  const learnt = await s.gw.app.pgp.keyring.store.get(erin);
  assert.deepEqual([learnt?.trust, learnt?.source], ['learnt', 'autocrypt']);
  // a learnt key never vouches for a sender; once an administrator trusts it, it does
  await s.send('erin@partner.test', ['alice@example.test'], await signedMail(erin, 'second mail'));
  await s.sink.waitFor(3, 20_000);
  assert.match(s.sink.messages[2]!.body.toString('latin1'), /^X-Sealpost-Signature: untrusted; signer=erin@partner\.test\r$/m);
  await s.gw.app.pgp.keyring.store.setTrust(erin, 'trusted');
  await s.send('erin@partner.test', ['alice@example.test'], await signedMail(erin, 'after trust'));
  await s.sink.waitFor(4, 20_000);
  assert.match(s.sink.messages[3]!.body.toString('latin1'), /^X-Sealpost-Signature: valid; signer=erin@partner\.test\r$/m);
  // a forged internal From cannot plant a key for an internal user
  const mallet = await gpg.generate('ceo@example.test', 'curve25519');
  const forgedKey = (await gpg.exportPublic(mallet, false)).toString('base64');
  const sig = (await gpg.detachSign(part, mallet)).toString().replace(/\r?\n/g, '\r\n');
  await s.send('ceo@example.test', ['alice@example.test'], `From: ceo@example.test\r\nTo: alice@example.test\r\nSubject: forged ceo\r\nAutocrypt: addr=ceo@example.test; keydata=${forgedKey}\r\nContent-Type: multipart/signed; micalg=pgp-sha256; protocol="application/pgp-signature"; boundary="ac"\r\n\r\n--ac\r\n${part}\r\n--ac\r\nContent-Type: application/pgp-signature\r\n\r\n${sig}\r\n--ac--\r\n`);
  await s.sink.waitFor(5, 20_000);
  assert.equal(await s.gw.app.pgp.keyring.store.get(mallet), null, 'keys of internal addresses are never learnt');
  await s.send('alice@example.test', ['erin@partner.test'], 'From: alice@example.test\r\nTo: erin@partner.test\r\nSubject: [secure] reply\r\nContent-Type: text/plain\r\n\r\nencrypted to the learnt key\r\n');
  await s.sink.waitFor(6, 20_000);
  const out = s.sink.messages.find((m) => m.to.includes('erin@partner.test'))!.body.toString('latin1');
  const d = await gpg.decrypt(out.slice(out.indexOf('-----BEGIN PGP MESSAGE-----')));
  assert.equal(d.code, 0, d.stderr);
  assert.match(d.stdout.toString(), /encrypted to the learnt key/);
});

test('outbound PGP/INLINE for listed recipients (text/plain only), signed; gpg decrypts the text', async (t) => {
  const s = await scenario(t, 'pgp: { inline: [partner.test] }\n');
  await s.gw.app.pgp.keyring.import(await gpg.exportSecret(alice));
  await s.gw.app.pgp.keyring.import(await gpg.exportPublic(bob));
  await s.send('alice@example.test', ['bob@partner.test'], Buffer.from('From: alice@example.test\r\nTo: bob@partner.test\r\nSubject: [secure] inline\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nGr=C3=BC=C3=9Fe aus Berlin\r\n'));
  await s.sink.waitFor(1, 20_000);
  const text = s.sink.messages[0]!.body.toString('latin1');
  assert.match(text, /^Content-Type: text\/plain; charset=us-ascii\r$/m);
  assert.match(text, /\r\n\r\n-----BEGIN PGP MESSAGE-----\r\n/);
  const d = await gpg.decrypt(text.slice(text.indexOf('-----BEGIN PGP MESSAGE-----')));
  assert.equal(d.code, 0, d.stderr);
  assert.match(d.stdout.toString('utf8'), /^Gr\u00fc\u00dfe aus Berlin\r?\n$/, 'the decoded text, UTF-8 (text-mode literal data)');
  assert.ok(d.status.some((l) => l.startsWith(`VALIDSIG ${alice.toUpperCase()}`)));
});

test('sign: required holds mail from a sender without a hosted key, then tells the sender; the recipient never gets it', async (t) => {
  const s = await scenario(t, 'profiles: { default: { order: [pgp], sign: required, queueTimeout: 2s } }\n');
  await s.gw.app.pgp.keyring.import(await gpg.exportPublic(bob));
  await s.send('nokey@example.test', ['bob@partner.test'], 'From: nokey@example.test\r\nTo: bob@partner.test\r\nSubject: [secure] must be signed\r\nContent-Type: text/plain\r\n\r\nunsigned text\r\n');
  await s.sink.waitFor(1, 20_000);
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(s.sink.messages.length, 1);
  assert.deepEqual(s.sink.messages[0]!.to, ['nokey@example.test']);
  assert.match(s.sink.messages[0]!.body.toString('latin1'), /X-Sealpost-Notification: encryption-failed/);
});

test('EFAIL: an armored message inside other text is not decrypted; it is delivered as received, tagged failed-to-decrypt', async (t) => {
  const s = await scenario(t);
  await s.gw.app.pgp.keyring.import(await gpg.exportSecret(alice));
  const enc = (await gpg.encrypt('the secret\n', [alice])).toString().replace(/\r?\n/g, '\r\n');
  await s.send('eve@partner.test', ['alice@example.test'], `From: eve@partner.test\r\nTo: alice@example.test\r\nSubject: efail\r\nContent-Type: text/plain\r\n\r\n<img src="http://eve.test/?\r\n${enc}\r\n">\r\n`);
  await s.sink.waitFor(1, 20_000);
  const got = s.sink.messages[0]!.body.toString('latin1');
  assert.match(got, /^X-Sealpost-Action: failed-to-decrypt\r$/m);
  assert.doesNotMatch(got, /the secret/);
  assert.match(got, /BEGIN PGP MESSAGE/);
});

test('inbound: RFC 3156 §6.1 (a multipart/signed entity inside the encryption) is decrypted, and the inner signature verified and kept', async (t) => {
  const s = await scenario(t);
  await s.gw.app.pgp.keyring.import(await gpg.exportSecret(alice));
  await s.gw.app.pgp.keyring.import(await gpg.exportPublic(bob));
  const part = 'Content-Type: text/plain; charset=us-ascii\r\n\r\nSigned, then sealed.\r\n';
  const sig = (await gpg.detachSign(part, bob)).toString().replace(/\r?\n/g, '\r\n');
  const signedEntity = `Content-Type: multipart/signed; micalg=pgp-sha256; protocol="application/pgp-signature"; boundary="in"\r\n\r\n--in\r\n${part}\r\n--in\r\nContent-Type: application/pgp-signature\r\n\r\n${sig}\r\n--in--\r\n`;
  const enc = (await gpg.encrypt(signedEntity, [alice])).toString().replace(/\r?\n/g, '\r\n');
  await s.send('bob@partner.test', ['alice@example.test'], `From: bob@partner.test\r\nTo: alice@example.test\r\nSubject: sign then encrypt\r\nContent-Type: multipart/encrypted; protocol="application/pgp-encrypted"; boundary="o"\r\n\r\n--o\r\nContent-Type: application/pgp-encrypted\r\n\r\nVersion: 1\r\n--o\r\nContent-Type: application/octet-stream\r\n\r\n${enc}\r\n--o--\r\n`);
  await s.sink.waitFor(1, 20_000);
  const got = s.sink.messages[0]!.body.toString('latin1');
  assert.match(got, /^X-Sealpost-Action: decrypted\r$/m);
  assert.match(got, /^X-Sealpost-Signature: valid; signer=bob@partner\.test\r$/m);
  assert.match(got, /^Content-Type: multipart\/signed; micalg=pgp-sha256; protocol="application\/pgp-signature"; boundary="in"\r$/m, 'the signed entity is delivered as it was signed');
  assert.match(got, /Signed, then sealed\./);
});

test('inbound protected headers (Thunderbird style): the inner Subject replaces the "..." placeholder, no field is duplicated', async (t) => {
  const s = await scenario(t);
  await s.gw.app.pgp.keyring.import(await gpg.exportSecret(alice));
  const inner = 'Content-Type: multipart/mixed; boundary="ph"; protected-headers="v1"\r\nSubject: The real subject\r\nFrom: bob@partner.test\r\nTo: alice@example.test\r\n\r\n--ph\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nProtected.\r\n--ph--\r\n';
  const enc = (await gpg.encrypt(inner, [alice])).toString().replace(/\r?\n/g, '\r\n');
  await s.send('bob@partner.test', ['alice@example.test'], `From: bob@partner.test\r\nTo: alice@example.test\r\nSubject: ...\r\nMessage-ID: <ph@partner.test>\r\nContent-Type: multipart/encrypted; protocol="application/pgp-encrypted"; boundary="o"\r\n\r\n--o\r\nContent-Type: application/pgp-encrypted\r\n\r\nVersion: 1\r\n--o\r\nContent-Type: application/octet-stream\r\n\r\n${enc}\r\n--o--\r\n`);
  await s.sink.waitFor(1, 20_000);
  const got = s.sink.messages[0]!.body.toString('latin1');
  const head = got.slice(0, got.indexOf('\r\n\r\n'));
  assert.deepEqual(head.match(/^Subject: [^\r\n]*/gm), ['Subject: The real subject']);
  assert.equal(head.match(/^From: /gm)?.length, 1);
  assert.equal(head.match(/^To: /gm)?.length, 1);
  assert.match(head, /^Content-Type: multipart\/mixed; boundary="ph"; protected-headers="v1"\r$/m);
  assert.match(got, /Protected\./);
});
