/**
 * The real GnuPG (`gpg`, 2.2 on this machine) in a throw-away GNUPGHOME, for interop tests:
 * generate keys (RSA-3072 or Curve25519 legacy: ed25519 + cv25519), import/export, encrypt, sign,
 * decrypt and verify. Status lines (`--status-fd 2`) are returned so tests can assert GOODSIG,
 * DECRYPTION_OKAY, GOODMDC … rather than parsing human text.
 * Keys have no passphrase (`--pinentry-mode loopback --passphrase ''`); trust-model always, so a
 * recipient key needs no signature. Nothing leaves the temp dir; close() removes it.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface GpgResult {
  readonly code: number;
  readonly stdout: Buffer;
  readonly stderr: string;
  /** the [GNUPG:] status keywords with their arguments, in order */
  readonly status: readonly string[];
}

export type GpgKeyType = 'rsa3072' | 'curve25519';

export class Gpg {
  private constructor(readonly home: string) {}

  static create(): Gpg {
    const home = mkdtempSync(join(tmpdir(), 'sealpost-gnupg-'));
    chmodSync(home, 0o700);
    writeFileSync(join(home, 'gpg.conf'), 'trust-model always\nno-auto-key-locate\nno-auto-key-retrieve\nbatch\nno-tty\npinentry-mode loopback\npassphrase \n');
    writeFileSync(join(home, 'gpg-agent.conf'), 'allow-loopback-pinentry\n');
    return new Gpg(home);
  }

  run(args: readonly string[], input?: Buffer | string): Promise<GpgResult> {
    return new Promise((resolve, reject) => {
      const child = spawn('gpg', ['--homedir', this.home, '--status-fd', '2', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on('data', (c: Buffer) => out.push(c));
      child.stderr.on('data', (c: Buffer) => err.push(c));
      child.on('error', reject);
      // gpg may exit before reading its input (it failed): the exit code and stderr say why, not EPIPE
      child.stdin.on('error', () => undefined);
      child.on('close', (code) => {
        const stderr = Buffer.concat(err).toString('utf8');
        const status = stderr.split('\n').filter((l) => l.startsWith('[GNUPG:] ')).map((l) => l.slice(9));
        resolve({ code: code ?? -1, stdout: Buffer.concat(out), stderr, status });
      });
      child.stdin.end(input ?? '');
    });
  }

  private async ok(args: readonly string[], input?: Buffer | string): Promise<GpgResult> {
    const r = await this.run(args, input);
    if (r.code !== 0) throw new Error(`gpg ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
    return r;
  }

  /** A primary (certify+sign) key and an encryption subkey; returns the primary fingerprint (lowercase). */
  async generate(email: string, type: GpgKeyType, expire = '0'): Promise<string> {
    const [primary, sub] = type === 'rsa3072' ? ['rsa3072', 'rsa3072'] : ['ed25519', 'cv25519'];
    const r = await this.ok(['--quick-generate-key', `${email.split('@')[0]} <${email}>`, primary!, 'sign,cert', expire]);
    const fp = /KEY_CREATED \w ([0-9A-F]{40})/.exec(r.status.join('\n'))?.[1];
    if (!fp) throw new Error(`no KEY_CREATED from gpg: ${r.stderr}`);
    await this.ok(['--quick-add-key', fp, sub!, 'encr', expire]);
    return fp.toLowerCase();
  }

  async exportPublic(ref: string, armor = true): Promise<Buffer> {
    return (await this.ok([...(armor ? ['--armor'] : []), '--export', ref])).stdout;
  }

  async exportSecret(ref: string, armor = true): Promise<Buffer> {
    return (await this.ok([...(armor ? ['--armor'] : []), '--export-secret-keys', ref])).stdout;
  }

  async import(keys: Buffer | string): Promise<void> {
    await this.ok(['--import'], keys);
  }

  async revoke(fp: string): Promise<Buffer> {
    // gpg writes a revocation certificate at generation time; importing it revokes the key
    const cert = (await import('node:fs')).readFileSync(join(this.home, 'openpgp-revocs.d', `${fp.toUpperCase()}.rev`), 'utf8').replace(/^:-----BEGIN/m, '-----BEGIN');
    await this.import(cert);
    return this.exportPublic(fp);
  }

  /** Encrypts (and signs with `signer`) to the recipients; armored unless `armor: false`. */
  async encrypt(data: Buffer | string, recipients: readonly string[], options: { signer?: string; armor?: boolean; textmode?: boolean; extra?: readonly string[] } = {}): Promise<Buffer> {
    const args = [...(options.armor === false ? [] : ['--armor']), ...(options.textmode ? ['--textmode'] : []), ...recipients.flatMap((r) => ['--recipient', r]), ...(options.signer ? ['--local-user', options.signer, '--sign'] : []), ...(options.extra ?? []), '--encrypt'];
    return (await this.ok(args, data)).stdout;
  }

  async detachSign(data: Buffer | string, signer: string): Promise<Buffer> {
    return (await this.ok(['--armor', '--local-user', signer, '--detach-sign'], data)).stdout;
  }

  async clearSign(text: string, signer: string): Promise<Buffer> {
    return (await this.ok(['--local-user', signer, '--clearsign'], text)).stdout;
  }

  decrypt(data: Buffer | string): Promise<GpgResult> {
    return this.run(['--decrypt'], data);
  }

  /** Verifies a detached signature over `data` (both written to the temp dir). */
  async verifyDetached(data: Buffer, signature: Buffer): Promise<GpgResult> {
    const d = join(this.home, `data-${Date.now()}-${Math.random()}`);
    writeFileSync(d, data);
    writeFileSync(`${d}.asc`, signature);
    return this.run(['--verify', `${d}.asc`, d]);
  }

  close(): void {
    rmSync(this.home, { recursive: true, force: true });
  }
}
