/**
 * `sealpost init`: writes a commented sealpost.yaml with the defaults of DESIGN §3 and creates
 * the gateway's secrets. Refuses to overwrite without --force.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { hostname as osHostname } from 'node:os';
import { DEFAULT_POLICIES_YAML } from '../config/default-policies.js';
import { parseConfigText } from '../config/load.js';
import { SealpostError } from '../errors/index.js';
import { loadOrCreateSecret } from '../keystore/gateway-secrets.js';

export interface InitOptions {
  readonly dir: string;
  readonly domain: string;
  readonly force: boolean;
  readonly hostname?: string;
}

export function renderInitialConfig(domain: string, host: string): string {
  return `# Sealpost configuration — every key is documented in docs/config.md, and
# examples/full.yaml shows them all. Check changes with: npx sealpost check

hostname: ${host}
internalDomains: [${domain}]          # recipients here are inbound; '*.${domain}' adds subdomains

storage:
  url: "sqlite:./data/sealpost.db"    # or postgres://user@host/db for cluster mode

secrets:                              # created on first start; share them between cluster nodes
  gatewaySecretFile: ./data/keys/gateway.secret
  masterKeyFile: ./data/keys/master.key

smtp:
  listeners:
    - name: main
      listen: "127.0.0.1:2525"
      direction: auto                 # inbound for ${domain}, outbound for sessions that may relay
      relayFrom: [127.0.0.0/8, ::1/128]
      maxMessageSize: 25MB
      # tls: { cert: ./tls.crt, key: ./tls.key }   # omitted: a self-signed certificate for STARTTLS

relay:
  outbound: capture                   # e.g. smtp://smarthost:25 or submission://user:pass@host:587
  inbound: capture                    # your internal mail server, e.g. smtp://10.0.0.5:25

capture:
  dir: ./data/capture                 # 'capture' keeps delivered messages here as .eml files

delivery:
  retry: [5m, 10m, 30m, 1h, 2h, 4h]
  giveUpAfter: 5d

profiles:
  default:
    order: [smime, pgp, pdf, portal]
    queueTimeout: 1d                  # how long mail no method can serve is held before it bounces

portal:                               # the recipients' web portal (pull delivery for people without keys)
  enabled: true
  listen: "127.0.0.1:8443"
  baseUrl: "https://localhost:8443"     # what links in notices point to; use your public host name

${DEFAULT_POLICIES_YAML}`;
}

export function runInit(options: InitOptions): { file: string; created: string[] } {
  const dir = resolve(options.dir);
  const file = join(dir, 'sealpost.yaml');
  if (existsSync(file) && !options.force) throw new SealpostError('SP_ERR_CONFIG_EXISTS', `${file} exists (use --force to overwrite)`, { path: file });
  const text = renderInitialConfig(options.domain, options.hostname ?? osHostname());
  parseConfigText(text, file); // what we write must pass our own check
  mkdirSync(dir, { recursive: true });
  writeFileSync(file, text, { mode: 0o640 });
  const created = [file];
  for (const name of ['gateway.secret', 'master.key']) {
    const path = join(dir, 'data', 'keys', name);
    if (loadOrCreateSecret(path).created) created.push(path);
  }
  mkdirSync(join(dir, 'data', 'capture'), { recursive: true });
  return { file, created };
}
