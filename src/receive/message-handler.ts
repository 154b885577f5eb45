/**
 * End of DATA: check the message, stamp it, commit it to the spool, and only then say 250.
 *
 * SECURITY: the body is untrusted and never logged. A message is refused whole when it exceeds the
 * size limit, holds a bare CR/LF (SMTP smuggling) or has looped too often; nothing reaches the
 * spool in those cases. No header is touched apart from prepending Received: status headers a
 * sender forged are stripped later by classify, where it is decided which ones are ours.
 * STANDARDS: RFC 5321 §4.4 (trace), §6.3 (loop detection), RFC 1870 (SIZE), RFC 3463.
 */
import type { SMTPServerDataStream, SMTPServerSession } from 'smtp-server';
import type { Envelope, EnvelopeRecipient, SessionInfo } from '../mail/envelope.js';
import { SealpostError, isSealpostError } from '../errors/index.js';
import { LineEndingGuard } from './data-guard.js';
import { buildReceivedHeader, countReceivedHeaders } from './received-header.js';
import { decideRecipient } from './relay-rules.js';
import { mayRelay, stateOf, type EdgeContext } from './session-hooks.js';
import { smtpError, smtpErrorFor } from './smtp-reply.js';

type DataCallback = (err?: Error | null, message?: string) => void;

function sessionInfo(ctx: EdgeContext, session: SMTPServerSession, receivedAt: number): SessionInfo {
  const protocol = stateOf(ctx, session).tlsProtocol;
  const cipher = session.tlsOptions ? session.tlsOptions.name : null;
  return {
    listener: ctx.options.name,
    remoteAddress: session.remoteAddress,
    helo: session.hostNameAppearsAs || '',
    tls: session.secure ? { protocol: protocol ?? 'unknown', cipher: cipher ?? 'unknown' } : null,
    authUser: typeof session.user === 'string' && session.user !== '' ? session.user : null,
    mayRelay: mayRelay(ctx, session),
    receivedAt,
  };
}

function envelopeOf(ctx: EdgeContext, session: SMTPServerSession, relay: boolean, messageId: string): Envelope {
  const recipients: EnvelopeRecipient[] = session.envelope.rcptTo.map(({ address }) => {
    // RCPT already refused what fails here; the decision is pure, so this only re-derives it
    const decision = decideRecipient(ctx.policy, address, relay);
    if (!decision.ok) throw new SealpostError('SP_ERR_INTERNAL', 'recipient accepted at RCPT fails the relay rules at DATA', { messageId, recipient: address, stage: 'receive' });
    return { address, direction: decision.direction };
  });
  const from = session.envelope.mailFrom;
  return { mailFrom: from ? from.address : '', recipients };
}

export function createDataHandler(ctx: EdgeContext): (stream: SMTPServerDataStream, session: SMTPServerSession, callback: DataCallback) => void {
  const { options, log, deps } = ctx;

  return (stream, session, callback) => {
    const messageId = deps.newId();
    const guard = new LineEndingGuard();
    const chunks: Buffer[] = [];
    let kept = 0;
    let overflow = false;
    let settled = false;
    const reply: DataCallback = (err, message) => {
      if (settled) return;
      settled = true;
      callback(err, message);
    };
    const reject = (reason: string, err: Error, extra: Record<string, unknown> = {}): void => {
      log.info({ event: 'receive.message.rejected', messageId, session: session.id, remoteAddress: session.remoteAddress, reason, reply: err.message, ...extra }, 'message refused');
      reply(err);
    };

    stream.on('data', (chunk: Buffer) => {
      guard.push(chunk);
      // past the limit only the count goes on: the message is refused, so memory stays bounded
      if (overflow || kept + chunk.length > options.maxMessageSize) {
        overflow = true;
        chunks.length = 0;
        return;
      }
      chunks.push(chunk);
      kept += chunk.length;
    });
    stream.once('error', (err: Error) => {
      log.debug({ event: 'receive.message.aborted', messageId, session: session.id, err: err.message }, 'client left during DATA');
      reply(err);
    });
    stream.once('end', () => {
      void finish().catch((err: unknown) => {
        log.error({ event: 'receive.message.failed', messageId, err }, 'unexpected failure at end of DATA');
        reply(smtpErrorFor(err));
      });
    });

    const finish = async (): Promise<void> => {
      const size = stream.byteLength;
      if (stream.sizeExceeded || overflow) {
        return reject('too-big', smtpError(552, '5.3.4', `Message size exceeds fixed maximum message size of ${options.maxMessageSize} bytes`), { size });
      }
      const bare = guard.finish();
      if (bare !== null) {
        return reject('bare-line-ending', smtpError(554, '5.6.0', 'Bare CR or LF in message data is not accepted'), { kind: bare.kind, offset: bare.offset });
      }
      const receivedAt = ctx.now();
      const info = sessionInfo(ctx, session, receivedAt);
      const envelope = envelopeOf(ctx, session, info.mayRelay, messageId);
      const header = buildReceivedHeader({
        helo: info.helo,
        clientHostname: session.clientHostname,
        remoteAddress: session.remoteAddress,
        hostname: options.hostname,
        esmtp: session.openingCommand === 'EHLO',
        tls: info.tls,
        authenticated: info.authUser !== null,
        id: messageId,
        recipients: envelope.recipients.map((r) => r.address),
        date: receivedAt,
      });
      const body = Buffer.concat([Buffer.from(header, 'latin1'), ...chunks], Buffer.byteLength(header, 'latin1') + kept);
      const hops = countReceivedHeaders(body);
      if (hops > options.maxHops) {
        return reject('too-many-hops', smtpError(554, '5.4.6', `Too many hops (${hops} Received headers), mail loop suspected`), { hops });
      }
      try {
        // the durable commit comes first: a 250 is a promise we cannot take back
        await deps.spool.accept({ id: messageId, envelope, session: info, body });
      } catch (err) {
        log.error(
          { event: 'receive.spool.failed', messageId, code: isSealpostError(err) ? err.code : undefined, err },
          'spool commit failed; answering with a temporary failure',
        );
        return reject('spool-failed', smtpErrorFor(err));
      }
      log.info(
        {
          event: 'receive.message.accepted',
          messageId,
          session: session.id,
          remoteAddress: session.remoteAddress,
          from: envelope.mailFrom,
          recipients: envelope.recipients.length,
          inbound: envelope.recipients.filter((r) => r.direction === 'inbound').length,
          size: body.length,
          hops,
          tls: info.tls?.protocol ?? null,
          authUser: info.authUser,
        },
        'message accepted',
      );
      reply(null, `2.0.0 Ok: queued as ${messageId}`);
    };
  };
}
