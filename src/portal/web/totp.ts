/**
 * TOTP (RFC 6238) for the portal's optional second factor: SHA-1, 6 digits, 30 s, one step of
 * clock drift either way (what every authenticator app supports).
 * SECURITY: a code is accepted once — the last accepted time step per account is remembered
 * (in memory: a replay on another cluster node within the same 90 s is the residual risk, and
 * the code is useless without the password anyway).
 */
import { Secret, TOTP } from 'otpauth';

const lastStep = new Map<string, number>();

export function newTotpSecret(): Buffer {
  return Buffer.from(new Secret({ size: 20 }).buffer);
}

export function totpFor(address: string, secret: Buffer, issuer: string): TOTP {
  return new TOTP({ issuer, label: address, secret: new Secret({ buffer: new Uint8Array(secret).buffer }), algorithm: 'SHA1', digits: 6, period: 30 });
}

export function base32(secret: Buffer): string {
  return new Secret({ buffer: new Uint8Array(secret).buffer }).base32;
}

/** true once per valid code and account */
export function checkTotp(address: string, secret: Buffer, code: string, now: number): boolean {
  const token = code.replace(/\s+/g, '');
  if (!/^\d{6}$/.test(token)) return false;
  const totp = totpFor(address, secret, 'Sealpost');
  const delta = totp.validate({ token, timestamp: now, window: 1 });
  if (delta === null) return false;
  const step = Math.floor(now / 30_000) + delta;
  if ((lastStep.get(address) ?? -1) >= step) return false;
  lastStep.set(address, step);
  if (lastStep.size > 100_000) lastStep.delete(lastStep.keys().next().value!);
  return true;
}
