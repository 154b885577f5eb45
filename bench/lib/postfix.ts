/**
 * A throw-away Postfix relay for the comparison: its own config_directory, queue_directory and
 * data_directory in a temp dir, one smtpd on 127.0.0.1:<free port>, every message relayed to
 * `relayhost = [127.0.0.1]:<sink port>`, no local delivery, chroot off, logs to <dir>/maillog.
 *
 * `postfix -c <dir> start` runs a second, independent master (its pid file lives in its own
 * queue directory). The system instance (/etc/postfix, /var/spool/postfix) is neither read for
 * settings nor started, stopped or modified: alternate_config_directories is only consulted by
 * the set-gid commands (postdrop, postqueue), which the bench does not use, and postmulti is not
 * involved. Everything else is Postfix's shipped defaults (process limits, concurrency 20 per
 * destination, connection cache on demand, in_flow_delay), as an administrator would run it.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../../test/helpers/gateway-process.js';

const run = promisify(execFile);
const POSTFIX_PATHS = ['/usr/sbin/postfix', '/usr/local/sbin/postfix'];

/** the postfix command when Postfix is installed, else null */
export function findPostfix(): string | null {
  return POSTFIX_PATHS.find((p) => existsSync(p)) ?? null;
}

export async function postfixVersion(postfix: string): Promise<string> {
  try {
    const { stdout } = await run(postfix.replace(/postfix$/, 'postconf'), ['-d', '-h', 'mail_version']);
    return stdout.trim();
  } catch {
    return '?';
  }
}

function masterCf(port: number): string {
  // service type private unpriv chroot wakeup maxproc command
  return [
    `127.0.0.1:${port} inet n - n - - smtpd`,
    'cleanup   unix  n - n - 0 cleanup',
    'qmgr      unix  n - n 300 1 qmgr',
    'rewrite   unix  - - n - - trivial-rewrite',
    'bounce    unix  - - n - 0 bounce',
    'defer     unix  - - n - 0 bounce',
    'trace     unix  - - n - 0 bounce',
    'verify    unix  - - n - 1 verify',
    'flush     unix  n - n 1000? 0 flush',
    'proxymap  unix  - - n - - proxymap',
    'smtp      unix  - - n - - smtp',
    'relay     unix  - - n - - smtp',
    'error     unix  - - n - - error',
    'retry     unix  - - n - - error',
    'discard   unix  - - n - - discard',
    'anvil     unix  - - n - 1 anvil',
    'scache    unix  - - n - 1 scache',
    'showq     unix  n - n - - showq',
    'postlog   unix-dgram n - n - 1 postlogd',
    '',
  ].join('\n');
}

function mainCf(dir: string, sinkPort: number): string {
  return [
    'compatibility_level = 3.6',
    `queue_directory = ${dir}/queue`,
    `data_directory = ${dir}/data`,
    `maillog_file_prefixes = ${dir}`,
    `maillog_file = ${dir}/maillog`,
    'myhostname = postfix.bench.test',
    'mydomain = bench.test',
    'myorigin = $myhostname',
    'mydestination =',
    'local_recipient_maps =',
    'local_transport = error:5.1.1 local delivery is disabled',
    'alias_maps =',
    'alias_database =',
    'relay_domains =',
    `relayhost = [127.0.0.1]:${sinkPort}`,
    'mynetworks = 127.0.0.0/8',
    'inet_interfaces = loopback-only',
    'inet_protocols = ipv4',
    'smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination',
    'smtpd_tls_security_level = none',
    'smtp_tls_security_level = none',
    'biff = no',
    'append_dot_mydomain = no',
    'readme_directory = no',
    'notify_classes =',
    'smtpd_banner = $myhostname ESMTP',
    '',
  ].join('\n');
}

export class PostfixInstance {
  private constructor(
    private readonly postfix: string,
    readonly dir: string,
    readonly port: number,
    readonly masterPid: number,
  ) {}

  static async start(postfix: string, sinkPort: number): Promise<PostfixInstance> {
    const dir = await mkdtemp(join(tmpdir(), 'sealpost-bench-postfix-'));
    // the postfix user must reach the queue and data directories below it
    await chmod(dir, 0o755);
    const port = await freePort();
    await mkdir(join(dir, 'queue'), { mode: 0o755 });
    await writeFile(join(dir, 'main.cf'), mainCf(dir, sinkPort));
    await writeFile(join(dir, 'master.cf'), masterCf(port));
    try {
      await run(postfix, ['-c', dir, 'start'], { timeout: 60_000 });
    } catch (err) {
      const log = await readFile(join(dir, 'maillog'), 'utf8').catch(() => '');
      await rm(dir, { recursive: true, force: true });
      const e = err as { stderr?: string; message: string };
      throw new Error(`postfix -c ${dir} start failed: ${e.stderr || e.message}\n${log.slice(-2000)}`);
    }
    const pidFile = join(dir, 'queue', 'pid', 'master.pid');
    let pid = NaN;
    for (const until = Date.now() + 10_000; Date.now() < until; await new Promise((r) => setTimeout(r, 100))) {
      pid = Number((await readFile(pidFile, 'utf8').catch(() => '')).trim());
      if (pid > 0 && existsSync(`/proc/${pid}`)) break;
    }
    if (!(pid > 0)) throw new Error(`postfix instance in ${dir}: no master pid`);
    return new PostfixInstance(postfix, dir, port, pid);
  }

  async logTail(lines = 20): Promise<string> {
    return (await readFile(join(this.dir, 'maillog'), 'utf8').catch(() => '')).split('\n').slice(-lines).join('\n');
  }

  /** `postfix -c <dir> stop`, then waits for the master to be gone (SIGKILL after 15 s) and removes the dir. */
  async dispose(keep = false): Promise<void> {
    await run(this.postfix, ['-c', this.dir, 'stop'], { timeout: 30_000 }).catch(() => undefined);
    const until = Date.now() + 15_000;
    while (existsSync(`/proc/${this.masterPid}`) && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    if (existsSync(`/proc/${this.masterPid}`)) {
      try {
        process.kill(this.masterPid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    if (!keep) await rm(this.dir, { recursive: true, force: true });
  }
}
