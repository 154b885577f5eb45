/**
 * The portal's only static files, kept as strings so the build ships them without a copy step:
 * one stylesheet (mobile first, system fonts, visible focus, high contrast) and one small script
 * used only for passkeys (WebAuthn needs navigator.credentials; everything else works without
 * JavaScript). Served from /static/ with a long cache lifetime and their own hash in the URL.
 */
import { createHash } from 'node:crypto';

export const CSS = `
:root{--ink:#1b1f24;--muted:#57606a;--line:#d0d7de;--bg:#f6f8fa;--card:#fff;--brand:#0b5cad;--brand-ink:#fff;--bad:#b42318;--ok:#05603a}
*{box-sizing:border-box}
html{font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Noto Sans CJK JP",sans-serif;color:var(--ink);background:var(--bg)}
body{margin:0;min-height:100vh;display:flex;flex-direction:column}
a{color:var(--brand)}
:focus-visible{outline:3px solid #f5a623;outline-offset:2px}
.skip{position:absolute;left:-999px;top:0;background:var(--card);padding:.5rem 1rem}
.skip:focus{left:.5rem;z-index:10}
header.top{background:var(--brand);color:var(--brand-ink);padding:.75rem 1rem;display:flex;flex-wrap:wrap;gap:.5rem 1.5rem;align-items:center;justify-content:space-between}
header.top .brand{font-weight:700;font-size:1.1rem;color:inherit;text-decoration:none}
header.top nav ul{list-style:none;margin:0;padding:0;display:flex;flex-wrap:wrap;align-items:center;gap:.25rem 1rem}
header.top nav li{display:flex;align-items:center}
header.top nav a,header.top nav button{color:var(--brand-ink);background:none;border:0;font:inherit;font-weight:400;cursor:pointer;padding:.25rem 0;margin:0;text-decoration:none}
header.top nav a[aria-current=page]{text-decoration:underline;text-underline-offset:4px}
header.top form{display:inline}
main{flex:1;width:100%;max-width:60rem;margin:0 auto;padding:1rem}
.card{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:1.25rem;margin:0 0 1rem}
.narrow{max-width:28rem;margin-left:auto;margin-right:auto}
h1{font-size:1.5rem;margin:.25rem 0 1rem}
h2{font-size:1.15rem;margin:1.25rem 0 .5rem}
.card>h2:first-child{margin-top:0}
label{display:block;font-weight:600;margin:.75rem 0 .25rem}
.check label{display:inline;font-weight:400;margin-left:.4rem}
input[type=text],input[type=email],input[type=password],input[type=file],textarea{width:100%;padding:.6rem;border:1px solid #8c959f;border-radius:6px;font:inherit;background:#fff;color:var(--ink)}
textarea{min-height:12rem;resize:vertical}
.hint{color:var(--muted);font-size:.9rem;margin:.25rem 0}
button,.button{display:inline-block;background:var(--brand);color:var(--brand-ink);border:0;border-radius:6px;padding:.65rem 1.2rem;font:inherit;font-weight:600;cursor:pointer;text-decoration:none;margin-top:1rem}
button.secondary,.button.secondary{background:#fff;color:var(--brand);border:1px solid var(--brand)}
.actions{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:center;margin-top:1rem}
.actions button,.actions .button{margin-top:0}
.actions form{margin:0}
.alert{border-radius:6px;padding:.75rem 1rem;margin:0 0 1rem;border:1px solid}
.alert.error{background:#fef3f2;border-color:#fda29b;color:var(--bad)}
.alert.ok{background:#ecfdf3;border-color:#75e0a7;color:var(--ok)}
table.list{width:100%;border-collapse:collapse;background:var(--card)}
table.list th,table.list td{text-align:left;padding:.6rem .5rem;border-bottom:1px solid var(--line);vertical-align:top}
table.list tr.unread td{font-weight:700}
.meta{display:grid;grid-template-columns:max-content 1fr;gap:.15rem .75rem;margin:0 0 1rem}
.meta dt{color:var(--muted)}
.meta dd{margin:0;overflow-wrap:anywhere}
iframe.mail{width:100%;min-height:24rem;height:60vh;border:1px solid var(--line);border-radius:6px;background:#fff}
pre.mail{white-space:pre-wrap;overflow-wrap:anywhere;font:inherit;margin:0}
ul.files{list-style:none;padding:0;margin:0}
ul.files li{padding:.35rem 0}
img.qr{display:block;width:240px;height:240px;image-rendering:pixelated;border:1px solid var(--line)}
code.secret{font-size:1.05rem;letter-spacing:.08em;word-break:break-all;background:var(--bg);padding:.2rem .4rem;border-radius:4px}
footer.bottom{color:var(--muted);font-size:.9rem;padding:1rem;text-align:center;border-top:1px solid var(--line)}
footer.bottom ul{list-style:none;padding:0;margin:.5rem 0 0;display:flex;flex-wrap:wrap;gap:.25rem .75rem;justify-content:center}
footer.bottom a[aria-current=true]{font-weight:700}
@media (max-width:40rem){table.list thead{display:none}table.list tr{display:block;border-bottom:1px solid var(--line)}table.list td{display:block;border:0;padding:.2rem .5rem}main{padding:.5rem}.card{padding:1rem}}
`;

/**
 * Passkeys: buttons carry data-passkey="register|login"; the options come from the server as
 * JSON, the browser's own JSON helpers (parse…OptionsFromJSON, credential.toJSON) convert them,
 * and the result is posted back with the page's CSRF token. Errors show in the page's alert area.
 */
export const PASSKEY_JS = `
(function(){
  'use strict';
  var csrf = document.querySelector('meta[name="csrf-token"]');
  function post(url, body){
    return fetch(url, {method:'POST', credentials:'same-origin', headers:{'content-type':'application/json','x-csrf-token':csrf ? csrf.content : ''}, body: JSON.stringify(body || {})})
      .then(function(r){ return r.json().then(function(j){ if (j && j.error === 'reauth' && j.next) { window.location.assign(j.next); throw new Error('reauth'); } if(!r.ok) throw new Error(j.error || 'failed'); return j; }); });
  }
  function fail(el){
    var box = document.getElementById(el.getAttribute('data-error-box') || 'passkey-error');
    if (box) { box.hidden = false; box.focus(); }
  }
  function supported(){ return !!(window.PublicKeyCredential && PublicKeyCredential.parseCreationOptionsFromJSON); }
  document.querySelectorAll('[data-passkey]').forEach(function(btn){
    if (!supported()) { btn.disabled = true; return; }
    btn.hidden = false;
    btn.addEventListener('click', function(ev){
      ev.preventDefault();
      var mode = btn.getAttribute('data-passkey');
      btn.disabled = true;
      var flow = mode === 'register'
        ? post('/passkeys/register/options').then(function(o){ return navigator.credentials.create({publicKey: PublicKeyCredential.parseCreationOptionsFromJSON(o)}); })
            .then(function(c){ return post('/passkeys/register/verify', c.toJSON()); })
        : post('/passkeys/login/options').then(function(o){ return navigator.credentials.get({publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(o)}); })
            .then(function(c){ return post('/passkeys/login/verify', c.toJSON()); });
      flow.then(function(r){ window.location.assign(r.next || '/inbox'); })
          .catch(function(){ btn.disabled = false; fail(btn); });
    });
  });
})();
`;

const short = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 12);
export const CSS_PATH = `/static/portal.${short(CSS)}.css`;
export const JS_PATH = `/static/passkey.${short(PASSKEY_JS)}.js`;
