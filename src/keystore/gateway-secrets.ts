/**
 * keystore/ — the gateway's own secrets: the HMAC key of the loop marker and the master key that
 * wraps private keys at rest. Generated on first use (32 random bytes, file mode 0600); in a
 * cluster every node must be given the same files or the same ${ENV} values.
 * SECURITY: secrets are never logged; a file that exists but is too short is an error, never
 * silently regenerated (that would invalidate every marker and wrapped key).
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { SealpostError } from '../errors/index.js';

const MIN_BYTES = 32;

export function loadOrCreateSecret(file: string): { secret: Buffer; created: boolean } {
  if (existsSync(file)) {
    const secret = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
    if (secret.length < MIN_BYTES) throw new SealpostError('SP_ERR_CONFIG_INVALID', `secret file ${file} holds fewer than ${MIN_BYTES} bytes`, { path: file });
    return { secret, created: false };
  }
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const secret = randomBytes(MIN_BYTES);
  writeFileSync(file, `${secret.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  return { secret, created: true };
}

/** A secret given inline (normally through ${ENV}) wins over the file. */
export function gatewaySecret(inline: string | undefined, file: string): { secret: Buffer; created: boolean } {
  if (inline !== undefined) return { secret: Buffer.from(inline, 'utf8'), created: false };
  return loadOrCreateSecret(file);
}
