/**
 * SMTP replies with exact enhanced status codes, on top of smtp-server.
 *
 * smtp-server derives the enhanced code of an application error from the basic code alone (554 is
 * always 5.6.0, 421 has none at connect), so "554 5.7.1 relay denied" or "554 5.4.6 too many
 * hops" cannot be said through its public API. Our errors carry their enhanced code as a prefix of
 * the message; the connection subclass below moves it into the status-code slot. The override
 * touches two members (`send`, `_getEnhancedStatusCode`) that smtp-server 3.21 declares in its
 * typings; test/integration/receive*.test.ts asserts the exact replies, so an upgrade that breaks
 * this fails loudly. STANDARDS: RFC 3463, RFC 2034, RFC 5321 §4.2.
 */
import type net from 'node:net';
import type tls from 'node:tls';
import { SMTPServer } from 'smtp-server';
import { SMTPConnection, type SMTPConnectionOptions } from 'smtp-server/lib/smtp-connection.js';
import { isSealpostError } from '../errors/index.js';

const ENHANCED_PREFIX = /^([245]\.\d{1,3}\.\d{1,3}) (.*)$/s;

/** The error shape smtp-server turns into a reply: `responseCode` plus the text. */
export interface SmtpReplyError extends Error {
  responseCode: number;
}

export function smtpError(code: number, enhanced: string, text: string): SmtpReplyError {
  return Object.assign(new Error(`${enhanced} ${text}`), { responseCode: code });
}

/** A SealpostError answers with its catalog mapping; anything else is a local error, 451 4.3.0. */
export function smtpErrorFor(err: unknown): SmtpReplyError {
  if (isSealpostError(err)) {
    const { code, enhanced } = err.spec.smtp;
    // the catalog message is fixed text; err.message may carry detail the client must not see
    return smtpError(code, enhanced, err.spec.message);
  }
  return smtpError(451, '4.3.0', 'local error in processing, try again later');
}

class EdgeConnection extends SMTPConnection {
  private explicitEnhanced: string | null = null;

  override send(code: number, data?: string | string[] | null, context?: string | false): void {
    if (typeof data === 'string') {
      const match = ENHANCED_PREFIX.exec(data);
      if (match) {
        this.explicitEnhanced = match[1]!;
        data = match[2]!;
      }
    }
    try {
      super.send(code, data, context);
    } finally {
      this.explicitEnhanced = null;
    }
  }

  override _getEnhancedStatusCode(code: number, context?: string | false): string {
    // ours wins even where smtp-server would print none (a 421 refusal at connect deserves one)
    if (this.explicitEnhanced !== null && this._useEnhancedStatusCodes()) return this.explicitEnhanced;
    return super._getEnhancedStatusCode(code, context);
  }
}

/** SMTPServer whose connections honour the enhanced code prefix; everything else is upstream's. */
export class EdgeSmtpServer extends SMTPServer {
  override connect(socket: net.Socket | tls.TLSSocket, socketOptions?: SMTPConnectionOptions | null): void {
    // mirrors SMTPServer.connect of 3.21 with our connection class
    const connection = new EdgeConnection(this, socket, socketOptions);
    this.connections.add(connection);
    connection.on('error', (err: Error) => this._onError(err));
    connection.on('connect', (data) => this._onClientConnect(data));
    connection.init();
  }
}
