/**
 * Starts a real listener on loopback with an in-memory spool and a log capture, for the
 * receive*.test.ts files. Every listener started here is stopped by `stopAll`.
 */
import { Writable } from 'node:stream';
import pino from 'pino';
import { createSmtpListener, type ListenerOptions, type SmtpListener } from '../../src/receive/index.js';
import { newId } from '../../src/mail/ids.js';
import type { ReceivedMessage } from '../../src/spool/types.js';

export class MemorySpool {
  readonly messages: ReceivedMessage[] = [];
  /** set to make accept() fail, or to hold it until a test releases it */
  behaviour: ((m: ReceivedMessage) => Promise<void>) | null = null;
  async accept(message: ReceivedMessage): Promise<void> {
    if (this.behaviour) await this.behaviour(message);
    this.messages.push(message);
  }
}

export type LogLine = Record<string, unknown> & { level: number; event?: string; msg?: string };

export interface Harness {
  readonly listener: SmtpListener;
  readonly port: number;
  readonly host: string;
  readonly spool: MemorySpool;
  readonly logs: LogLine[];
  events(name: string): LogLine[];
}

export function listenerOptions(overrides: Partial<ListenerOptions> = {}): ListenerOptions {
  return {
    name: 'test',
    host: '127.0.0.1',
    port: 0,
    hostname: 'gw.example.com',
    direction: 'auto',
    internalDomains: ['example.com', '*.example.com'],
    relayFrom: ['127.0.0.0/8'],
    tls: null,
    starttls: true,
    implicitTls: false,
    requireTls: false,
    auth: { required: false, users: [] },
    maxMessageSize: 1024 * 1024,
    maxConnectionsPerIp: 20,
    maxRecipients: 100,
    maxHops: 30,
    ...overrides,
  };
}

const running = new Set<SmtpListener>();

export async function startListener(overrides: Partial<ListenerOptions> = {}, spool = new MemorySpool()): Promise<Harness> {
  const logs: LogLine[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim() !== '') logs.push(JSON.parse(line) as LogLine);
      cb();
    },
  });
  const logger = pino({ level: 'debug' }, sink);
  const listener = createSmtpListener(listenerOptions(overrides), { spool, logger, newId: () => newId() });
  const bound = await listener.start();
  running.add(listener);
  return { listener, port: bound.port, host: bound.host, spool, logs, events: (name) => logs.filter((l) => l.event === name) };
}

export async function stopAll(): Promise<void> {
  const all = [...running];
  running.clear();
  await Promise.all(all.map((l) => l.stop()));
}

/** Waits (briefly) for something the server does asynchronously, such as a close being counted. */
export async function until(check: () => boolean, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A CRLF message with the given header lines and body. */
export function message(headers: string[], body: string): string {
  return `${headers.join('\r\n')}\r\n\r\n${body}`;
}
