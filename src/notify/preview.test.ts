import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseConfigText } from '../config/load.js';
import { SealpostError } from '../errors/index.js';
import { assertWireClean, noticeParts } from './mime-check.test-util.js';
import { previewNotice } from './preview.js';
import { BUILTIN_LOCALES, TEMPLATE_TYPES } from './template/types.js';

const config = parseConfigText(
  'hostname: gw.example.test\ninternalDomains: [example.test]\nsmtp: { listeners: [ { name: main, listen: "127.0.0.1:2525" } ] }\nrelay: { outbound: "smtp://127.0.0.1:1", inbound: "smtp://127.0.0.1:2" }\nnotifications: { locale: de }\nprofiles: { default: {}, tokyo: { portal: { locale: ja, branding: Tokyo Office } } }\n',
);

describe('notify preview', () => {
  it('renders every type (DSN and PDF message included) in every locale with sample values; whole messages are wire-clean', () => {
    for (const locale of BUILTIN_LOCALES) {
      for (const type of TEMPLATE_TYPES) {
        const { rendered, eml } = previewNotice(config, '/nonexistent', type, { locale });
        assert.equal(rendered.locale, locale);
        assert.ok(rendered.subject && rendered.text && rendered.html, `${locale}/${type}`);
        if (type === 'dsn' || type === 'pdf-message') assert.equal(eml, undefined, 'rendering only: not a notice of its own');
        else {
          assertWireClean(Buffer.from(eml!, 'utf8'));
          assert.equal(noticeParts(eml!).text.replace(/\r\n/g, '\n'), rendered.text);
        }
      }
    }
  });

  it('follows the profile and notifications.locale, and refuses unknown types and profiles', () => {
    assert.equal(previewNotice(config, '/x', 'expired', {}).rendered.locale, 'de');
    const tokyo = previewNotice(config, '/x', 'expired', { profile: 'tokyo' }).rendered;
    assert.equal(tokyo.locale, 'ja');
    assert.equal(tokyo.branding.organisation, 'Tokyo Office');
    assert.throws(() => previewNotice(config, '/x', 'nope', {}), (e: unknown) => e instanceof SealpostError && e.code === 'SP_ERR_CLI_USAGE');
    assert.throws(() => previewNotice(config, '/x', 'expired', { profile: 'nope' }), /no profile named "nope"/);
  });
});
