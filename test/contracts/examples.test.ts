import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfigText, ConfigError } from '../../src/config/index.js';
import { renderInitialConfig } from '../../src/cli/init.js';

// Example files reference secrets through ${ENV}; give every referenced variable a dummy value.
function envFor(text: string): NodeJS.ProcessEnv {
  return Object.fromEntries([...text.matchAll(/\$\{([A-Z0-9_]+)\}/g)].map((m) => [m[1]!, 'x'.repeat(40)]));
}

for (const file of readdirSync('examples').filter((f) => f.endsWith('.yaml'))) {
  test(`examples/${file} is a valid configuration`, () => {
    const text = readFileSync(join('examples', file), 'utf8');
    assert.doesNotThrow(() => parseConfigText(text, file, envFor(text)));
  });
}

test('the file init writes is valid and carries the default policy explicitly', () => {
  const config = parseConfigText(renderInitialConfig('example.com', 'gw.example.com'));
  assert.equal(config.policies?.[0]?.name, 'secure-subject-or-header');
  assert.equal(config.smtp.listeners[0]?.listen, '127.0.0.1:2525');
  assert.equal(config.relay.outbound, 'capture');
});

test('a broken config names the YAML path, line, what was expected and what was found', () => {
  const text = 'hostname: gw\ninternalDomains: [example.test]\nsmtp:\n  listeners:\n    - { name: main, listen: "127.0.0.1:25", direction: sideways }\n';
  const err = (() => {
    try {
      parseConfigText(text, 'x.yaml');
    } catch (e) {
      return e;
    }
    return null;
  })();
  assert.ok(err instanceof ConfigError);
  const problem = err.problems[0]!;
  assert.equal(problem.path, 'smtp.listeners[0].direction');
  assert.equal(problem.line, 5);
  assert.match(problem.message, /expected one of "auto", "outbound", "inbound"; found "sideways"/);
});

test('unknown keys, bad durations and unset environment variables are errors, never defaults', () => {
  assert.throws(() => parseConfigText('hostname: a\ninternalDomains: [x.test]\ncolour: red\n'), /unknown key "colour"/);
  assert.throws(() => parseConfigText('hostname: a\ninternalDomains: [x.test]\ndelivery: { giveUpAfter: soon }\n'), /delivery.giveUpAfter: expected a duration/);
  assert.throws(() => parseConfigText('hostname: a\ninternalDomains: [x.test]\nsecrets: { gatewaySecret: "${SP_TEST_UNSET_VAR}" }\n', 'c.yaml', {}), /SP_TEST_UNSET_VAR is not set/);
  assert.throws(() => parseConfigText('hostname: a\ninternalDomains: [x.test]\npolicies: [ { name: r, then: [ encrpyt ] } ]\n'), /policies\[0\]\.then\[0\]: expected one of "encrypt"/);
  assert.throws(() => parseConfigText('hostname: a\ninternalDomains: [x.test]\npolicies: [ { name: r, then: [ { encrypt: { profile: nope } } ] } ]\n'), /no profile named "nope"/);
  assert.throws(() => parseConfigText('hostname: a\ninternalDomains: [x.test]\npolicies: [ { name: r, then: [ { route: { to: "ftp://x" } } ] } ]\n'), /policies\[0\]\.then\[0\]\.route\.to: expected smtp:\/\//);
});
