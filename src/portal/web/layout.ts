/**
 * The page frame every portal page shares: lang attribute, landmarks (banner, navigation, main,
 * contentinfo), skip link, branding, the language switcher and the CSRF meta tag the passkey
 * script reads. No inline script or style anywhere (the CSP forbids both).
 */
import { CSS_PATH, JS_PATH } from './assets.js';
import { html, type Safe } from './html.js';
import { LOCALES, type Translate } from './i18n.js';

export interface PageContext {
  readonly t: Translate;
  readonly locale: string;
  readonly csrf: string;
  /** the logged-in address, when the session is complete */
  readonly account: string | null;
  /** branding name shown in the banner (profile branding, else the product name) */
  readonly brand: string;
  /** the branding's stylesheet (accent colour) and footer line, when it has them */
  readonly brandCss?: string;
  readonly brandFooter?: string;
  /** current path, for the language switcher and aria-current */
  readonly path: string;
}

export interface PageOptions {
  readonly title: string;
  readonly body: Safe;
  /** load the passkey script */
  readonly script?: boolean;
}

const NAV = [
  { href: '/inbox', key: 'nav.inbox' },
  { href: '/sent', key: 'nav.sent' },
  { href: '/compose', key: 'nav.compose' },
  { href: '/security', key: 'nav.security' },
] as const;

export function csrfField(ctx: PageContext): Safe {
  return html`<input type="hidden" name="_csrf" value="${ctx.csrf}">`;
}

export function layout(ctx: PageContext, page: PageOptions): string {
  const { t } = ctx;
  const nav = ctx.account
    ? html`<nav aria-label="${t('nav.main')}"><ul>${NAV.map((n) => html`<li><a href="${n.href}"${ctx.path.startsWith(n.href) ? html` aria-current="page"` : ''}>${t(n.key)}</a></li>`)}<li><form method="post" action="/logout">${csrfField(ctx)}<button type="submit">${t('nav.logout')}</button></form></li></ul></nav>`
    : '';
  // the switcher links back to this path: never a protocol-relative one (//host, /\host) that would leave the portal
  const path = ctx.path.split('?')[0] ?? '/';
  const here = /^\/(?![/\\])/.test(path) ? path : '/';
  const switcher = html`<nav aria-label="${t('app.language')}"><ul>${LOCALES.map((l) => html`<li><a href="${here}?lang=${l.code}" lang="${l.code}" hreflang="${l.code}"${l.code === ctx.locale ? html` aria-current="true"` : ''}>${l.name}</a></li>`)}</ul></nav>`;
  return html`<!doctype html>
<html lang="${ctx.locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="csrf-token" content="${ctx.csrf}">
<title>${page.title} · ${ctx.brand}</title>
<link rel="stylesheet" href="${CSS_PATH}">${ctx.brandCss ? html`
<link rel="stylesheet" href="${ctx.brandCss}">` : ''}
${page.script ? html`<script src="${JS_PATH}" defer></script>` : ''}
</head>
<body>
<a class="skip" href="#main">${t('app.skip')}</a>
<header class="top"><a class="brand" href="/inbox">${ctx.brand}</a>${nav}</header>
<main id="main" tabindex="-1">
${page.body}
</main>
<footer class="bottom">${ctx.brandFooter ? html`<p>${ctx.brandFooter}</p>` : ''}<p>${t('app.footer')}</p>${switcher}</footer>
</body>
</html>
`.value;
}
