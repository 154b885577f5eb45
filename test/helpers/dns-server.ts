/**
 * A tiny authoritative DNS server for tests, on 127.0.0.1 (UDP and TCP on the same port), built
 * with dns-packet. It answers from a table a test fills, so no test ever asks a real resolver.
 *
 * Table keys are lower-case names without a trailing dot. A name's entry is either a set of
 * records per type (missing type = NOERROR with no answer, i.e. NODATA) or a behaviour for every
 * query about it: 'NXDOMAIN', 'SERVFAIL', 'REFUSED' or 'timeout' (never answered). Names not in
 * the table are NXDOMAIN. TTLs are 0 so resolvers do not cache between tests.
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type Server, type Socket } from 'node:net';
import * as packet from 'dns-packet';

export interface MxData {
  readonly preference: number;
  /** '.' for a null MX (RFC 7505) */
  readonly exchange: string;
}

export interface NameRecords {
  readonly A?: readonly string[];
  readonly AAAA?: readonly string[];
  readonly MX?: readonly MxData[];
}

export type NameBehaviour = 'NXDOMAIN' | 'SERVFAIL' | 'REFUSED' | 'timeout';
export type DnsTable = Record<string, NameRecords | NameBehaviour>;

export interface DnsServer {
  readonly host: string;
  readonly port: number;
  /** "127.0.0.1:PORT", for `delivery.dns.servers` */
  readonly address: string;
  /** editable: tests may add or change names between queries */
  readonly table: DnsTable;
  /** every question received, as "TYPE name" (e.g. "MX example.test") */
  readonly queries: string[];
  close(): Promise<void>;
}

type Answer = packet.Answer;

function answersFor(name: string, type: string, records: NameRecords): Answer[] {
  const base = { name, ttl: 0, class: 'IN' as const };
  switch (type) {
    case 'A':
      return (records.A ?? []).map((data) => ({ ...base, type: 'A' as const, data }));
    case 'AAAA':
      return (records.AAAA ?? []).map((data) => ({ ...base, type: 'AAAA' as const, data }));
    case 'MX':
      return (records.MX ?? []).map((mx) => ({ ...base, type: 'MX' as const, data: { preference: mx.preference, exchange: mx.exchange === '.' ? '' : mx.exchange } }));
    default:
      return [];
  }
}

const RCODE_FLAG: Record<Exclude<NameBehaviour, 'timeout'>, number> = { NXDOMAIN: 3, SERVFAIL: 2, REFUSED: 5 };

/** The response to one query, or null when the test wants it to time out. */
function respond(query: packet.Packet, table: DnsTable, log: string[]): Buffer | null {
  const question = query.questions?.[0];
  if (!question) return null;
  const name = question.name.toLowerCase().replace(/\.$/, '');
  log.push(`${question.type} ${name}`);
  const entry = table[name] ?? 'NXDOMAIN';
  if (entry === 'timeout') return null;
  // RD is echoed, RA set: c-ares expects a recursive server's answer.
  const flags = packet.RECURSION_DESIRED | packet.RECURSION_AVAILABLE | packet.AUTHORITATIVE_ANSWER;
  const common = { type: 'response' as const, id: query.id ?? 0, questions: [question] };
  if (typeof entry === 'string') return packet.encode({ ...common, flags: flags | RCODE_FLAG[entry] });
  return packet.encode({ ...common, flags, answers: answersFor(question.name, question.type, entry) });
}

function handleTcp(socket: Socket, table: DnsTable, log: string[]): void {
  let buffered = Buffer.alloc(0);
  socket.on('error', () => undefined);
  socket.on('data', (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    while (buffered.length >= 2) {
      const length = buffered.readUInt16BE(0);
      if (buffered.length < 2 + length) return;
      const message = buffered.subarray(2, 2 + length);
      buffered = buffered.subarray(2 + length);
      let reply: Buffer | null = null;
      try {
        reply = respond(packet.decode(message), table, log);
      } catch {
        socket.destroy();
        return;
      }
      if (reply) {
        const prefix = Buffer.alloc(2);
        prefix.writeUInt16BE(reply.length);
        socket.write(Buffer.concat([prefix, reply]));
      }
    }
  });
}

async function bindUdp(port: number): Promise<UdpSocket> {
  const udp = createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    udp.once('error', reject);
    udp.bind(port, '127.0.0.1', () => {
      udp.off('error', reject);
      resolve();
    });
  });
  return udp;
}

async function bindTcp(port: number, onSocket: (s: Socket) => void): Promise<Server> {
  const tcp = createServer(onSocket);
  await new Promise<void>((resolve, reject) => {
    tcp.once('error', reject);
    tcp.listen(port, '127.0.0.1', () => {
      tcp.off('error', reject);
      resolve();
    });
  });
  return tcp;
}

export async function startDnsServer(table: DnsTable = {}): Promise<DnsServer> {
  const queries: string[] = [];
  const sockets = new Set<Socket>();
  // UDP takes a free port; TCP must get the same one (retried in the rare case it is taken).
  for (let attempt = 0; ; attempt++) {
    const udp = await bindUdp(0);
    const port = udp.address().port;
    let tcp: Server;
    try {
      tcp = await bindTcp(port, (s) => {
        sockets.add(s);
        s.on('close', () => sockets.delete(s));
        handleTcp(s, table, queries);
      });
    } catch (err) {
      udp.close();
      if (attempt < 5) continue;
      throw err;
    }
    udp.on('error', () => undefined);
    udp.on('message', (msg, rinfo) => {
      let reply: Buffer | null = null;
      try {
        reply = respond(packet.decode(msg), table, queries);
      } catch {
        return; // not a DNS query: ignore, like a real server
      }
      if (reply) udp.send(reply, rinfo.port, rinfo.address);
    });
    return {
      host: '127.0.0.1',
      port,
      address: `127.0.0.1:${port}`,
      table,
      queries,
      async close() {
        for (const s of sockets) s.destroy();
        await Promise.all([new Promise<void>((r) => udp.close(() => r())), new Promise<void>((r) => tcp.close(() => r()))]);
      },
    };
  }
}
