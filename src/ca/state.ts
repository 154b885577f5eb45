/**
 * ca/state — what the built-in CA remembers besides its certificate and key: which stored
 * certificate is the current CA, and per CA its CRL distribution point, last CRL number and
 * revoked serials. Kept as one JSON row of the `meta` table (key `ca`), so SQLite and
 * PostgreSQL need no migration and every node of a cluster sees the same CA.
 * SECURITY: no key material here; the CA key is in the private key store, wrapped.
 */
import type { Database } from '../db/engine.js';
import { toMillis } from '../db/values.js';
import type { RevocationReason } from './build.js';

export interface RevokedEntry {
  /** lowercase hex, no leading zero bytes (as pki/names.ts serialHex) */
  readonly serial: string;
  readonly at: number;
  readonly email: string | null;
  readonly reason?: RevocationReason | null;
}

export interface CaRecordState {
  readonly crlUrl: string | null;
  readonly crlNumber: number;
  readonly revoked: readonly RevokedEntry[];
}

export interface CaState {
  /** id of the current CA certificate; null before `ca init` */
  readonly current: string | null;
  readonly cas: Readonly<Record<string, CaRecordState>>;
}

const KEY = 'ca';
const EMPTY: CaState = { current: null, cas: {} };

export async function readCaState(db: Database): Promise<CaState & { updatedAt: number | null }> {
  const row = await db.kysely.selectFrom('meta').select(['value', 'updated_at']).where('key', '=', KEY).executeTakeFirst();
  if (!row) return { ...EMPTY, updatedAt: null };
  const parsed = JSON.parse(row.value) as CaState;
  return { current: parsed.current ?? null, cas: parsed.cas ?? {}, updatedAt: toMillis(row.updated_at) };
}

export async function writeCaState(db: Database, state: CaState, now: number): Promise<void> {
  const value = JSON.stringify({ current: state.current, cas: state.cas });
  const at = Math.trunc(now);
  await db.kysely
    .insertInto('meta')
    .values({ key: KEY, value, updated_at: at })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value: (eb) => eb.ref('excluded.value'), updated_at: (eb) => eb.ref('excluded.updated_at') }))
    .execute();
}

/** Serial as the stores keep it: lowercase hex, colons/spaces removed, no leading zero bytes. */
export function normalizeSerial(text: string): string | null {
  const hex = text.trim().toLowerCase().replace(/^0x/, '').replace(/[:\s]/g, '');
  if (!/^[0-9a-f]+$/.test(hex)) return null;
  const even = hex.length % 2 ? `0${hex}` : hex;
  const stripped = even.replace(/^(00)+/, '');
  return stripped === '' ? '00' : stripped;
}
