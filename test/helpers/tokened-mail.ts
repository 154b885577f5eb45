/**
 * Load with accounting, for the crash and cluster tests: messages that carry a token
 * (X-Test-Token), raw SMTP transactions that report the reply to the end of DATA, and a count of
 * the copies of each token that reached a sink — so "every 250 arrived exactly once" can be checked.
 */
import type { Sink } from './sink.js';
import { RawSmtpClient, ehlo } from './smtp-client.js';

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const TOKEN_HEADER = /^X-Test-Token: (\S+)\r?$/im;

/** A ~1 KB text message carrying `token` in X-Test-Token (and in Message-ID and Subject). */
export function tokenedMessage(token: string, to: string, subjectPrefix: string): string {
  const filler = Array.from({ length: 12 }, (_, i) => `line ${i} of ${token}: the quick brown fox jumps over the lazy dog`).join('\r\n');
  return [
    'From: alice@example.test',
    `To: ${to}`,
    `Subject: ${subjectPrefix} ${token}`,
    `Message-ID: <${token}@client.test>`,
    `Date: ${new Date().toUTCString()}`,
    `X-Test-Token: ${token}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=us-ascii',
    '',
    filler,
    '',
  ].join('\r\n');
}

/** Token → copies at the sink (read from the X-Test-Token header of each arrived message). */
export function delivered(sink: Sink): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of sink.messages) {
    const end = m.body.indexOf('\r\n\r\n');
    const head = m.body.subarray(0, end < 0 ? m.body.length : end).toString('latin1');
    const token = TOKEN_HEADER.exec(head)?.[1] ?? '(none)';
    out.set(token, (out.get(token) ?? 0) + 1);
  }
  return out;
}

/** A session past the greeting and EHLO. */
export async function openSession(port: number): Promise<RawSmtpClient> {
  const client = await RawSmtpClient.connect(port);
  try {
    const greeting = await client.reply(10_000);
    if (greeting.code !== 220) throw new Error(`greeting ${greeting.code}`);
    await ehlo(client);
    return client;
  } catch (err) {
    await client.close();
    throw err;
  }
}

/**
 * One transaction on an open session. Returns the reply to the end of DATA (or the first refusal
 * before it); throws when the connection fails or a reply does not come within timeoutMs.
 */
export async function transaction(client: RawSmtpClient, to: string, data: string, timeoutMs = 15_000): Promise<number> {
  client.write('MAIL FROM:<alice@example.test>\r\n');
  const mail = await client.reply(timeoutMs);
  if (mail.code !== 250) return mail.code;
  client.write(`RCPT TO:<${to}>\r\n`);
  const rcpt = await client.reply(timeoutMs);
  if (rcpt.code !== 250) return rcpt.code;
  client.write('DATA\r\n');
  const go = await client.reply(timeoutMs);
  if (go.code !== 354) return go.code;
  client.write(data);
  client.write('.\r\n');
  return (await client.reply(timeoutMs)).code;
}

/** Polls until check() holds or the deadline passes; returns whether it held. */
export async function until(check: () => boolean | Promise<boolean>, timeoutMs: number, everyMs = 100): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await sleep(everyMs);
  }
}
