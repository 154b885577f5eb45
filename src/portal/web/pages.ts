/**
 * The portal's pages as functions of their data (no I/O). Every value is escaped by `html`;
 * the only markup passed through is our own and the sanitised mail HTML, which goes into the
 * sandboxed frame's srcdoc attribute (escaped once more as an attribute value).
 */
import type { PortalMessage, PortalPasskey, SentItem } from '../store.js';
import { html, type Safe } from './html.js';
import { csrfField, type PageContext } from './layout.js';
import type { MessageView } from './mime-view.js';

export type Notice = { readonly kind: 'error' | 'ok'; readonly text: string } | null;

function alert(n: Notice): Safe | '' {
  if (!n) return '';
  return n.kind === 'error' ? html`<div class="alert error" role="alert">${n.text}</div>` : html`<div class="alert ok" role="status">${n.text}</div>`;
}

function when(ctx: PageContext, ms: number | null): string {
  if (ms === null) return '—';
  try {
    return new Intl.DateTimeFormat(ctx.locale, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(ms));
  } catch {
    return new Date(ms).toISOString();
  }
}

export function landingPage(ctx: PageContext, token: string, valid: boolean): Safe {
  const { t } = ctx;
  if (!valid) return html`<section class="card narrow"><h1>${t('landing.title')}</h1><div class="alert error" role="alert">${t('landing.invalid')}</div><a class="button" href="/login">${t('login.submit')}</a></section>`;
  return html`<section class="card narrow"><h1>${t('landing.title')}</h1><p>${t('landing.intro')}</p>
<form method="post" action="/m/${token}">${csrfField(ctx)}<button type="submit">${t('landing.button')}</button></form></section>`;
}

function passwordFields(ctx: PageContext): Safe {
  const { t } = ctx;
  return html`<label for="password">${t('register.password')}</label>
<input id="password" name="password" type="password" autocomplete="new-password" required minlength="12" maxlength="256" aria-describedby="pw-hint">
<p class="hint" id="pw-hint">${t('register.hint')}</p>
<label for="confirm">${t('register.confirm')}</label>
<input id="confirm" name="confirm" type="password" autocomplete="new-password" required minlength="12" maxlength="256">`;
}

export function registerPage(ctx: PageContext, address: string, notice: Notice): Safe {
  const { t } = ctx;
  return html`<section class="card narrow"><h1>${t('register.title')}</h1>${alert(notice)}<p>${t('register.intro', { address })}</p>
<form method="post" action="/register">${csrfField(ctx)}
<input type="hidden" name="username" value="${address}" autocomplete="username">
${passwordFields(ctx)}
<button type="submit">${t('register.submit')}</button></form></section>`;
}

export function loginPage(ctx: PageContext, opts: { address?: string; next?: string; notice: Notice; remember: boolean }): Safe {
  const { t } = ctx;
  return html`<section class="card narrow"><h1>${t('login.title')}</h1>${alert(opts.notice)}
<form method="post" action="/login">${csrfField(ctx)}
<input type="hidden" name="next" value="${opts.next ?? ''}">
<label for="address">${t('login.email')}</label>
<input id="address" name="address" type="email" autocomplete="username" required value="${opts.address ?? ''}">
<label for="password">${t('login.password')}</label>
<input id="password" name="password" type="password" autocomplete="current-password" required maxlength="256">
${opts.remember ? html`<p class="check"><input id="remember" name="remember" type="checkbox" value="1"><label for="remember">${t('login.remember')}</label></p>` : ''}
<div class="actions"><button type="submit">${t('login.submit')}</button><a href="/reset">${t('login.forgot')}</a></div>
</form>
<div id="passkey-error" class="alert error" role="alert" tabindex="-1" hidden>${t('login.passkeyFailed')}</div>
<button type="button" class="secondary" data-passkey="login" hidden>${t('login.passkey')}</button>
</section>`;
}

export function totpPage(ctx: PageContext, notice: Notice): Safe {
  const { t } = ctx;
  return html`<section class="card narrow"><h1>${t('totp.title')}</h1>${alert(notice)}
<form method="post" action="/login/totp">${csrfField(ctx)}
<label for="code">${t('totp.code')}</label>
<input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9 ]{6,8}" required>
<button type="submit">${t('totp.submit')}</button></form></section>`;
}

export function resetRequestPage(ctx: PageContext, notice: Notice): Safe {
  const { t } = ctx;
  return html`<section class="card narrow"><h1>${t('reset.title')}</h1>${alert(notice)}<p>${t('reset.intro')}</p>
<form method="post" action="/reset">${csrfField(ctx)}
<label for="address">${t('login.email')}</label>
<input id="address" name="address" type="email" autocomplete="username" required>
<button type="submit">${t('reset.submit')}</button></form></section>`;
}

export function resetFormPage(ctx: PageContext, token: string, valid: boolean, notice: Notice): Safe {
  const { t } = ctx;
  if (!valid) return html`<section class="card narrow"><h1>${t('reset.newTitle')}</h1><div class="alert error" role="alert">${t('landing.invalid')}</div><a href="/reset">${t('reset.title')}</a></section>`;
  return html`<section class="card narrow"><h1>${t('reset.newTitle')}</h1>${alert(notice)}
<form method="post" action="/reset/${token}">${csrfField(ctx)}${passwordFields(ctx)}<button type="submit">${t('register.submit')}</button></form></section>`;
}

export function inboxPage(ctx: PageContext, messages: readonly PortalMessage[], notice: Notice): Safe {
  const { t } = ctx;
  const rows = messages.map(
    (m) => html`<tr${m.readAt === null ? html` class="unread"` : ''}>
<td>${m.fromHeader || m.sender}</td>
<td><a href="/messages/${m.id}">${m.subject || t('message.noSubject')}</a>${m.readAt === null ? html` <span class="hint">(${t('inbox.unread')})</span>` : ''}${m.attachments.length ? html` <span class="hint">· ${t('inbox.attachment')}</span>` : ''}</td>
<td>${when(ctx, m.createdAt)}</td><td>${when(ctx, m.expiresAt)}</td></tr>`,
  );
  return html`<h1>${t('inbox.title')}</h1>${alert(notice)}
${messages.length === 0 ? html`<p class="card">${t('inbox.empty')}</p>` : html`<table class="list"><caption class="skip">${t('inbox.title')}</caption><thead><tr><th scope="col">${t('inbox.from')}</th><th scope="col">${t('inbox.subject')}</th><th scope="col">${t('inbox.received')}</th><th scope="col">${t('inbox.expires')}</th></tr></thead><tbody>${rows}</tbody></table>`}`;
}

export function messagePage(ctx: PageContext, m: PortalMessage, view: MessageView, frame: string | null, blockedImages: number): Safe {
  const { t } = ctx;
  const actions = [
    m.allowReply ? html`<a class="button" href="/messages/${m.id}/reply?kind=reply">${t('message.reply')}</a>` : '',
    m.allowReplyAll ? html`<a class="button secondary" href="/messages/${m.id}/reply?kind=reply-all">${t('message.replyAll')}</a>` : '',
    m.allowForward ? html`<a class="button secondary" href="/messages/${m.id}/reply?kind=forward">${t('message.forward')}</a>` : '',
  ];
  const files = view.attachments.map((a) => html`<li><a href="/messages/${m.id}/parts/${a.part}" download>${t('message.download')}: ${a.filename}</a> <span class="hint">(${a.contentType}, ${Math.max(1, Math.round(a.data.length / 1024))} KB)</span></li>`);
  const body = frame !== null
    ? html`<iframe class="mail" title="${t('message.body')}" sandbox="allow-popups allow-popups-to-escape-sandbox" referrerpolicy="no-referrer" srcdoc="${frame}"></iframe>${blockedImages ? html`<p class="hint" id="remote-blocked">${t('message.remoteBlocked')}</p>` : ''}`
    : html`<pre class="mail">${view.text ?? ''}</pre>`;
  return html`<article class="card" aria-labelledby="subject">
<h1 id="subject">${view.subject || m.subject || t('message.noSubject')}</h1>
<dl class="meta"><dt>${t('message.from')}</dt><dd>${view.from || m.fromHeader}</dd>
<dt>${t('message.to')}</dt><dd>${view.to}</dd>${view.cc ? html`<dt>${t('message.cc')}</dt><dd>${view.cc}</dd>` : ''}
<dt>${t('message.date')}</dt><dd>${when(ctx, m.createdAt)}</dd>${m.expiresAt !== null ? html`<dt>${t('inbox.expires')}</dt><dd>${when(ctx, m.expiresAt)}</dd>` : ''}</dl>
<section aria-label="${t('message.body')}">${body}</section>
${files.length ? html`<section><h2>${t('message.attachments')}</h2><ul class="files">${files}</ul></section>` : ''}
<div class="actions">${actions}<form method="post" action="/messages/${m.id}/delete">${csrfField(ctx)}<button type="submit" class="secondary">${t('message.delete')}</button></form><a href="/inbox">${t('message.back')}</a></div>
</article>`;
}

export function unavailablePage(ctx: PageContext): Safe {
  return html`<section class="card narrow"><h1>${ctx.t('error.title')}</h1><div class="alert error" role="alert">${ctx.t('message.unavailable')}</div><a href="/inbox">${ctx.t('message.back')}</a></section>`;
}

export interface ComposeForm {
  readonly action: string;
  readonly title: string;
  /** fixed recipients (reply / reply-all) shown read-only; null = free To field */
  readonly fixedTo: readonly string[] | null;
  readonly to: string;
  readonly subject: string;
  readonly body: string;
}

export function composePage(ctx: PageContext, f: ComposeForm, notice: Notice): Safe {
  const { t } = ctx;
  return html`<section class="card"><h1>${f.title}</h1>${alert(notice)}
<form method="post" action="${f.action}" enctype="multipart/form-data">${csrfField(ctx)}
${f.fixedTo ? html`<p><strong>${t('compose.to')}:</strong> ${f.fixedTo.join(', ')}</p>` : html`<label for="to">${t('compose.to')}</label><input id="to" name="to" type="text" required value="${f.to}" aria-describedby="to-hint" autocomplete="off"><p class="hint" id="to-hint">${t('compose.toHint')}</p>`}
<label for="subject">${t('compose.subject')}</label>
<input id="subject" name="subject" type="text" maxlength="400" value="${f.subject}">
<label for="body">${t('compose.body')}</label>
<textarea id="body" name="body" maxlength="200000">${f.body}</textarea>
<label for="files">${t('compose.attach')}</label>
<input id="files" name="files" type="file" multiple>
<button type="submit">${t('compose.send')}</button></form></section>`;
}

export function sentPage(ctx: PageContext, items: readonly SentItem[], notice: Notice): Safe {
  const { t } = ctx;
  return html`<h1>${t('sent.title')}</h1>${alert(notice)}
${items.length === 0 ? html`<p class="card">${t('sent.empty')}</p>` : html`<table class="list"><thead><tr><th scope="col">${t('sent.to')}</th><th scope="col">${t('inbox.subject')}</th><th scope="col">${t('sent.date')}</th></tr></thead><tbody>${items.map((s) => html`<tr><td>${[...s.to, ...s.cc].join(', ')}</td><td>${s.subject || t('message.noSubject')}${s.attachments.length ? html` <span class="hint">· ${s.attachments.map((a) => a.filename).join(', ')}</span>` : ''}</td><td>${when(ctx, s.createdAt)}</td></tr>`)}</tbody></table>`}`;
}

export interface SecurityState {
  /** null = the PDF password mode is not offered */
  readonly pdf: { readonly set: boolean; readonly min: number; readonly max: number } | null;
  readonly totpOn: boolean;
  readonly enrol: { readonly uri: string; readonly secret: string; readonly qr: string | null } | null;
  readonly passkeys: readonly PortalPasskey[];
}

export function securityPage(ctx: PageContext, s: SecurityState, notice: Notice): Safe {
  const { t } = ctx;
  const totp = s.enrol
    ? html`${s.enrol.qr ? html`<p><img class="qr" id="totp-qr" src="${s.enrol.qr}" alt="${t('security.totpQr')}" width="240" height="240"></p>` : ''}<p>${t('security.totpScan')}</p><p><a href="${s.enrol.uri}">${t('security.totpLink')}</a></p><p>${t('security.totpSecret')}: <code class="secret" id="totp-secret">${s.enrol.secret}</code></p>
<form method="post" action="/security/totp/enable">${csrfField(ctx)}<label for="code">${t('totp.code')}</label><input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" required><button type="submit">${t('security.totpEnable')}</button></form>`
    : s.totpOn
      ? html`<p>${t('security.totpOn')}</p><form method="post" action="/security/totp/disable">${csrfField(ctx)}<label for="dis-password">${t('security.current')}</label><input id="dis-password" name="password" type="password" autocomplete="current-password" required><button type="submit" class="secondary">${t('security.totpDisable')}</button></form>`
      : html`<p>${t('security.totpOff')}</p><form method="post" action="/security/totp/start">${csrfField(ctx)}<button type="submit">${t('security.totpStart')}</button></form>`;
  return html`<h1>${t('security.title')}</h1>${alert(notice)}
<section class="card" aria-labelledby="h-totp"><h2 id="h-totp">${t('security.totp')}</h2>${totp}</section>
<section class="card" aria-labelledby="h-pk"><h2 id="h-pk">${t('security.passkeys')}</h2><p>${t('security.passkeysIntro')}</p>
${s.passkeys.length ? html`<ul class="files" id="passkey-list">${s.passkeys.map((p) => html`<li><form method="post" action="/passkeys/remove" class="actions">${csrfField(ctx)}<input type="hidden" name="id" value="${p.id}"><span>${p.name} — ${when(ctx, p.createdAt)}</span><button type="submit" class="secondary" aria-label="${t('security.passkeyRemove')}: ${p.name}">${t('security.passkeyRemove')}</button></form></li>`)}</ul>` : html`<p>${t('security.passkeyNone')}</p>`}
<div id="passkey-error" class="alert error" role="alert" tabindex="-1" hidden>${t('login.passkeyFailed')}</div>
<button type="button" data-passkey="register" hidden>${t('security.passkeyAdd')}</button><noscript><p class="hint">${t('security.passkeyUnsupported')}</p></noscript></section>
${s.pdf ? html`<section class="card" aria-labelledby="h-pdf"><h2 id="h-pdf">${t('security.pdf')}</h2><p>${t('security.pdfIntro')}</p><p id="pdf-state">${s.pdf.set ? t('security.pdfOn') : t('security.pdfOff')}</p>
<form method="post" action="/security/pdf">${csrfField(ctx)}<label for="pdf-password">${t('security.pdfNew')}</label><input id="pdf-password" name="pdfPassword" type="password" autocomplete="off" required minlength="${s.pdf.min}" maxlength="${s.pdf.max}" aria-describedby="pdf-hint"><p class="hint" id="pdf-hint">${t('security.pdfLength', { min: s.pdf.min, max: s.pdf.max })}</p><button type="submit">${t('security.pdfSave')}</button></form>
${s.pdf.set ? html`<form method="post" action="/security/pdf/clear">${csrfField(ctx)}<button type="submit" class="secondary">${t('security.pdfClear')}</button></form>` : ''}</section>` : ''}
<section class="card" aria-labelledby="h-sessions"><h2 id="h-sessions">${t('security.sessions')}</h2><p>${t('security.signOutAllIntro')}</p>
<form method="post" action="/security/sessions/end">${csrfField(ctx)}<button type="submit" class="secondary">${t('security.signOutAll')}</button></form></section>
<section class="card" aria-labelledby="h-pw"><h2 id="h-pw">${t('security.password')}</h2>
<form method="post" action="/security/password">${csrfField(ctx)}<label for="current">${t('security.current')}</label><input id="current" name="current" type="password" autocomplete="current-password" required>${html`<label for="password">${t('register.password')}</label><input id="password" name="password" type="password" autocomplete="new-password" required minlength="12" maxlength="256"><label for="confirm">${t('register.confirm')}</label><input id="confirm" name="confirm" type="password" autocomplete="new-password" required minlength="12">`}<button type="submit">${t('security.password')}</button></form></section>`;
}

export function errorPage(ctx: PageContext, text: string): Safe {
  return html`<section class="card narrow"><h1>${ctx.t('error.title')}</h1><div class="alert error" role="alert">${text}</div><a href="/inbox">${ctx.t('message.back')}</a></section>`;
}

export function recallPage(ctx: PageContext, token: string, state: { kind: 'confirm'; subject: string; recipient: string } | { kind: 'done' } | { kind: 'invalid' }): Safe {
  const { t } = ctx;
  if (state.kind === 'invalid') return html`<section class="card narrow"><h1>${t('recall.title')}</h1><div class="alert error" role="alert">${t('recall.invalid')}</div></section>`;
  if (state.kind === 'done') return html`<section class="card narrow"><h1>${t('recall.title')}</h1><div class="alert ok" role="status">${t('recall.done')}</div></section>`;
  return html`<section class="card narrow"><h1>${t('recall.title')}</h1><p>${t('recall.intro', { subject: state.subject || t('message.noSubject'), recipient: state.recipient })}</p>
<form method="post" action="/recall/${token}">${csrfField(ctx)}<button type="submit">${t('recall.button')}</button></form></section>`;
}
