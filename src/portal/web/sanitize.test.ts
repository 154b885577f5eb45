import { test } from 'node:test';
import assert from 'node:assert/strict';
import { frameDocument, sanitizeMailHtml } from './sanitize.js';
import { parseMessageView } from './mime-view.js';

test('script, handlers, forms, frames, remote images and fetching CSS are removed; formatting stays', () => {
  const { html, blockedImages } = sanitizeMailHtml(
    '<style>@import url(https://e.test/x.css)</style><script>alert(1)</script><p style="color:#c00;background:url(https://e.test/a);font-weight:bold" onclick="x()">Hi</p>' +
      '<img src="https://e.test/p.gif" alt="pixel"><img src="data:image/png;base64,iVBORw0KGgo="><img src="data:image/svg+xml;base64,PHN2Zz4=">' +
      '<a href="javascript:alert(1)">j</a><a href="https://ok.test/">ok</a><form action="https://e.test"><input></form><iframe src="https://e.test"></iframe>' +
      '<div style="width:expression(alert(1));color:rgb(1,2,3)">d</div><span style="background-image:image-set(&quot;https://e.test/i&quot; 1x)">s</span>',
  );
  for (const bad of [/<script/, /<style/, /onclick/, /e\.test/, /javascript/, /<form/, /<input/, /<iframe/, /url\(/, /expression/, /image-set/, /svg/]) assert.doesNotMatch(html, bad);
  assert.match(html, /<p style="color:#c00;font-weight:bold">Hi<\/p>/);
  assert.match(html, /<img alt="pixel" \/>|<img alt="pixel">/);
  assert.match(html, /data:image\/png;base64/);
  assert.match(html, /<a href="https:\/\/ok\.test\/" target="_blank" rel="noopener noreferrer">ok<\/a>/);
  assert.match(html, /color:rgb\(1,2,3\)/);
  assert.equal(blockedImages, 2, "the remote image and the SVG data: image");
  assert.match(frameDocument(html, 'en'), /Content-Security-Policy" content="default-src 'none'; img-src data:/);
});

test('cid: images of multipart/related are inlined as data: URIs; attachments are numbered by MIME position', () => {
  const raw = [
    'Subject: =?UTF-8?B?w4l0w6k=?=',
    'Content-Type: multipart/mixed; boundary=A',
    '',
    '--A',
    'Content-Type: multipart/related; boundary=B',
    '',
    '--B',
    'Content-Type: text/html; charset=iso-8859-1',
    'Content-Transfer-Encoding: quoted-printable',
    '',
    '<p>Caf=E9 <img src=3D"cid:logo@x"></p>',
    '--B',
    'Content-Type: image/png',
    'Content-ID: <logo@x>',
    'Content-Transfer-Encoding: base64',
    '',
    'iVBORw0KGgo=',
    '--B--',
    '--A',
    'Content-Type: text/plain; name="notes.txt"',
    'Content-Disposition: attachment; filename*=UTF-8\'\'n%C3%B6tes.txt',
    '',
    'attached text',
    '--A--',
    '',
  ].join('\r\n');
  const view = parseMessageView(Buffer.from(raw, 'latin1'));
  assert.equal(view.subject, 'Été');
  assert.equal(view.html, '<p>Café <img src="cid:logo@x"></p>');
  assert.equal(view.attachments.length, 1);
  assert.deepEqual([view.attachments[0]!.part, view.attachments[0]!.filename, view.attachments[0]!.data.toString()], ['2', 'nötes.txt', 'attached text']);
  const { html } = sanitizeMailHtml(view.html!, view.inline);
  assert.match(html, /<img src="data:image\/png;base64,iVBORw0KGgo=" \/>|<img src="data:image\/png;base64,iVBORw0KGgo=">/);
});

test('a malformed cid: escape does not throw (the message stays readable); the image is just dropped', () => {
  const { html } = sanitizeMailHtml('<p>Hello</p><img src="cid:%E0%A4%A" alt="logo">');
  assert.match(html, /<p>Hello<\/p>/);
  assert.doesNotMatch(html, /cid:/);
});
