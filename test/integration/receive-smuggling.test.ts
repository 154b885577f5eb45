/**
 * SMTP smuggling (CVE-2023-51766 style): DATA ends only at CRLF.CRLF, and a message holding a bare
 * CR or LF is refused whole (554 5.6.0) so no look-alike terminator can carry a second message
 * through us to a next hop that reads it differently. Raw bytes, everything pipelined in one write.
 */
import { after, afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { RawSmtpClient, ehlo, type SmtpReply } from '../helpers/smtp-client.js';
import { message, startListener, stopAll } from './receive-harness.js';

afterEach(stopAll);
after(stopAll);

const SMUGGLED = 'MAIL FROM:<evil@elsewhere.org>\r\nRCPT TO:<bob@example.com>\r\nDATA\r\nSubject: smuggled\r\n\r\nowned\r\n';

async function pipelined(port: number, payload: string): Promise<SmtpReply[]> {
  const c = await RawSmtpClient.connect(port);
  assert.equal((await c.reply()).code, 220);
  await ehlo(c);
  c.write(payload);
  const replies = await c.drain();
  await c.close();
  return replies;
}

function transaction(data: string): string {
  return `MAIL FROM:<alice@example.com>\r\nRCPT TO:<bob@example.com>\r\nDATA\r\n${data}\r\n.\r\nQUIT\r\n`;
}

const summary = (replies: SmtpReply[]) => replies.map((r) => `${r.code}${r.enhanced ? ` ${r.enhanced}` : ''}`);

test('control: a real CRLF.CRLF inside the data does end it, so the checks below can fail', async () => {
  const h = await startListener();
  const replies = await pipelined(h.port, transaction(`${message(['Subject: first'], 'hello')}\r\n.\r\n${SMUGGLED}`));
  assert.deepEqual(summary(replies), ['250 2.1.0', '250 2.1.5', '354', '250 2.0.0', '250 2.1.0', '250 2.1.5', '354', '250 2.0.0', '221 2.0.0']);
  assert.equal(h.spool.messages.length, 2);
});

const VARIANTS: Record<string, string> = {
  'LF.LF': '\n.\n',
  'LF.CRLF': '\n.\r\n',
  'CR.CR': '\r.\r',
  'CRLF.CR': '\r\n.\r',
  'CR.CRLF': '\r.\r\n',
  'CRLF.LF': '\r\n.\n',
  'CRLF.CR CRLF': '\r\n.\r\r\n',
  'CRLF.SP CRLF': '\r\n. \r\n',
  'LF LF.LF LF': '\n\n.\n\n',
};

for (const [name, sequence] of Object.entries(VARIANTS)) {
  test(`smuggling variant ${name}: does not end DATA, message refused 554 5.6.0, nothing spooled`, async () => {
    const h = await startListener();
    const replies = await pipelined(h.port, transaction(`${message(['Subject: first'], 'hello')}${sequence}${SMUGGLED}`));
    if (name === 'CRLF.SP CRLF') {
      // no bare CR/LF at all: a dot followed by a space is content, the message is one message
      assert.deepEqual(summary(replies), ['250 2.1.0', '250 2.1.5', '354', '250 2.0.0', '221 2.0.0']);
      assert.equal(h.spool.messages.length, 1);
      assert.ok(h.spool.messages[0]!.body.includes('MAIL FROM:<evil@elsewhere.org>'), 'the look-alike stayed inside the one message');
      return;
    }
    assert.deepEqual(summary(replies), ['250 2.1.0', '250 2.1.5', '354', '554 5.6.0', '221 2.0.0']);
    assert.equal(h.spool.messages.length, 0);
    const rejected = h.events('receive.message.rejected');
    assert.equal(rejected.length, 1);
    assert.equal(rejected[0]!.reason, 'bare-line-ending');
  });
}

for (const [name, start] of Object.entries({ 'dot LF at data start': '.\n', 'dot CR at data start': '.\r', 'LF.CRLF at data start': '\n.\r\n' })) {
  test(`${name}: not a terminator, refused as bare line ending`, async () => {
    const h = await startListener();
    const replies = await pipelined(h.port, transaction(`${start}${SMUGGLED}`));
    assert.deepEqual(summary(replies), ['250 2.1.0', '250 2.1.5', '354', '554 5.6.0', '221 2.0.0']);
    assert.equal(h.spool.messages.length, 0);
  });
}

test('CR CRLF.CRLF: a real terminator after a bare CR; the first message is refused, what follows is the client\'s own next transaction', async () => {
  const h = await startListener({ relayFrom: ['10.0.0.0/8'] });
  const next = 'MAIL FROM:<evil@elsewhere.org>\r\nRCPT TO:<eve@elsewhere.org>\r\nRCPT TO:<bob@example.com>\r\nDATA\r\nSubject: second\r\n\r\nx\r\n';
  const replies = await pipelined(h.port, transaction(`${message(['Subject: first'], 'hello')}\r\r\n.\r\n${next}`));
  // the second transaction went through every SMTP-time check like any other: relay still refused
  assert.deepEqual(summary(replies), ['250 2.1.0', '250 2.1.5', '354', '554 5.6.0', '250 2.1.0', '554 5.7.1', '250 2.1.5', '354', '250 2.0.0', '221 2.0.0']);
  assert.equal(h.spool.messages.length, 1);
  assert.deepEqual(h.spool.messages[0]!.envelope.recipients, [{ address: 'bob@example.com', direction: 'inbound' }]);
});

test('a bare LF in the headers alone is enough to refuse', async () => {
  const h = await startListener();
  const replies = await pipelined(h.port, transaction('Subject: x\nX-Other: y\r\n\r\nbody'));
  assert.deepEqual(summary(replies), ['250 2.1.0', '250 2.1.5', '354', '554 5.6.0', '221 2.0.0']);
});

test('the terminator split across TCP segments ends DATA exactly once', async () => {
  const h = await startListener();
  const c = await RawSmtpClient.connect(h.port);
  await c.reply();
  await ehlo(c);
  await c.command('MAIL FROM:<alice@example.com>');
  await c.command('RCPT TO:<bob@example.com>');
  assert.equal((await c.command('DATA')).code, 354);
  for (const piece of [message(['Subject: split'], 'one\r'), '\n', '.', '\r', '\n']) {
    c.write(piece);
    await new Promise((r) => setTimeout(r, 15));
  }
  assert.equal((await c.reply()).code, 250);
  assert.equal((await c.command('QUIT')).code, 221);
  await c.close();
  assert.equal(h.spool.messages.length, 1);
  assert.ok(h.spool.messages[0]!.body.toString('latin1').endsWith('\r\n\r\none\r\n'));
});

test('dot-stuffed lines are unstuffed exactly once', async () => {
  const h = await startListener();
  // ".y" was not stuffed by the client (RFC 5321 §4.5.2 says it should be); smtp-server removes a
  // leading dot only when another dot follows, so such a line is kept as sent, and still is no terminator
  const replies = await pipelined(h.port, transaction(message(['Subject: dots'], '..\r\n...x\r\n.y')));
  assert.deepEqual(summary(replies), ['250 2.1.0', '250 2.1.5', '354', '250 2.0.0', '221 2.0.0']);
  assert.ok(h.spool.messages[0]!.body.toString('latin1').endsWith('\r\n\r\n.\r\n..x\r\n.y\r\n'));
});

test('several transactions pipelined in one write are all answered (RFC 2920 groups after end of data)', async () => {
  const h = await startListener();
  const one = (n: number) => `MAIL FROM:<a@example.com>\r\nRCPT TO:<bob@example.com>\r\nDATA\r\nSubject: ${n}\r\n\r\nbody\r\n.\r\n`;
  const replies = await pipelined(h.port, `${one(1)}${one(2)}${one(3)}QUIT\r\n`);
  assert.equal(replies.filter((r) => r.code === 250 && r.enhanced === '2.0.0').length, 3);
  assert.equal(replies.at(-1)!.code, 221);
  assert.equal(h.spool.messages.length, 3);
});
