/** Portal accounts, passkeys and sessions (login failures and lockout counted in one transaction; session ids stored as SHA-256). */
import type {
  AccountStore,
  AccountUpdate,
  LoginFailurePolicy,
  NewSession,
  PasskeyStore,
  PortalAccount,
  PortalPasskey,
  SessionKind,
  SessionRecord,
  SessionStore,
} from '../../portal/store.js';
import { rowsAffected, writeFailed } from '../store-support.js';
import { toCount, toMillisOrNull, writeMillis } from '../values.js';
import { lc, hashOf, randomToken, clampLimit, accountFromRow, passkeyFromRow, sessionFromRow, Part, type Db } from './rows.js';

export class SqlAccountStore extends Part implements AccountStore {
  get(address: string): Promise<PortalAccount | null> {
    return this.read(async () => {
      const row = await this.k.selectFrom('portal_accounts').selectAll().where('address', '=', lc(address)).executeTakeFirst();
      return row ? accountFromRow(row) : null;
    });
  }

  async ensure(address: string): Promise<PortalAccount> {
    await this.write({ address: lc(address) }, () => ensureAccount(this.k, lc(address), this.now()));
    const got = await this.get(address);
    if (!got) throw writeFailed('SP_ERR_STORE_WRITE_FAILED', this.ctx.db, new Error('account vanished after insert'), { address: lc(address) });
    return got;
  }

  async update(address: string, update: AccountUpdate): Promise<PortalAccount | null> {
    const values: Record<string, unknown> = {};
    if (update.passwordHash !== undefined) {
      values.password_hash = update.passwordHash;
      values.password_changed_at = update.passwordHash === null ? null : this.now();
    }
    if (update.totpSecret !== undefined) values.totp_secret = update.totpSecret;
    if (update.pdfPassword !== undefined) values.pdf_password = update.pdfPassword;
    if (update.locale !== undefined) values.locale = update.locale;
    if (Object.keys(values).length > 0) {
      await this.write({ address: lc(address) }, () => this.k.updateTable('portal_accounts').set(values).where('address', '=', lc(address)).execute());
    }
    return this.get(address);
  }

  async recordLoginFailure(address: string, policy: LoginFailurePolicy): Promise<{ failedLogins: number; lockedUntil: number | null } | null> {
    const addr = lc(address);
    const now = this.now();
    return this.write({ address: addr }, () =>
      this.k.transaction().execute(async (trx) => {
        const r = await trx
          .updateTable('portal_accounts')
          .set((eb) => ({ failed_logins: eb('failed_logins', '+', 1).$castTo<number>() }))
          .where('address', '=', addr)
          .executeTakeFirst();
        if (rowsAffected(r) === 0) return null;
        const row = await trx.selectFrom('portal_accounts').select(['failed_logins', 'locked_until']).where('address', '=', addr).executeTakeFirstOrThrow();
        const failedLogins = toCount(row.failed_logins);
        if (failedLogins < policy.maxFailures) return { failedLogins, lockedUntil: toMillisOrNull(row.locked_until) };
        const lockedUntil = writeMillis(now + policy.lockMs, 'lockedUntil');
        await trx.updateTable('portal_accounts').set({ failed_logins: 0, locked_until: lockedUntil }).where('address', '=', addr).execute();
        return { failedLogins, lockedUntil };
      }),
    );
  }

  async recordLoginSuccess(address: string): Promise<void> {
    const addr = lc(address);
    await this.write({ address: addr }, () => this.k.updateTable('portal_accounts').set({ failed_logins: 0, locked_until: null, last_login_at: this.now() }).where('address', '=', addr).execute());
  }

  list(limit?: number): Promise<PortalAccount[]> {
    return this.read(async () => (await this.k.selectFrom('portal_accounts').selectAll().orderBy('created_at', 'desc').orderBy('address').limit(clampLimit(limit, 100)).execute()).map(accountFromRow));
  }
}

export async function ensureAccount(db: Db, address: string, now: number): Promise<void> {
  await db
    .insertInto('portal_accounts')
    .values({ address, password_hash: null, password_changed_at: null, totp_secret: null, pdf_password: null, locale: null, failed_logins: 0, locked_until: null, last_login_at: null, created_at: now })
    .onConflict((oc) => oc.column('address').doNothing())
    .execute();
}


export class SqlPasskeyStore extends Part implements PasskeyStore {
  async add(p: Omit<PortalPasskey, 'createdAt' | 'lastUsedAt'>): Promise<PortalPasskey> {
    const now = this.now();
    await this.write({ address: lc(p.address) }, () =>
      this.k
        .insertInto('portal_passkeys')
        .values({ id: p.id, address: lc(p.address), public_key: Buffer.from(p.publicKey), counter: writeMillis(p.counter, 'counter'), transports: JSON.stringify(p.transports), name: p.name, created_at: now, last_used_at: null })
        .execute(),
    );
    return { ...p, address: lc(p.address), transports: [...p.transports], createdAt: now, lastUsedAt: null };
  }

  get(id: string): Promise<PortalPasskey | null> {
    return this.read(async () => {
      const row = await this.k.selectFrom('portal_passkeys').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? passkeyFromRow(row) : null;
    });
  }

  byAddress(address: string): Promise<PortalPasskey[]> {
    return this.read(async () => (await this.k.selectFrom('portal_passkeys').selectAll().where('address', '=', lc(address)).orderBy('created_at').orderBy('id').execute()).map(passkeyFromRow));
  }

  async markUsed(id: string, counter: number): Promise<void> {
    await this.write({}, () => this.k.updateTable('portal_passkeys').set({ counter: writeMillis(counter, 'counter'), last_used_at: this.now() }).where('id', '=', id).execute());
  }

  async remove(id: string, address: string): Promise<boolean> {
    return this.write({ address: lc(address) }, async () => rowsAffected(await this.k.deleteFrom('portal_passkeys').where('id', '=', id).where('address', '=', lc(address)).executeTakeFirst()) > 0);
  }
}


export class SqlSessionStore extends Part implements SessionStore {
  async create(s: NewSession): Promise<{ id: string; session: SessionRecord }> {
    const id = randomToken();
    const now = this.now();
    const session: SessionRecord = { kind: s.kind, address: lc(s.address), auth: s.auth, data: { ...(s.data ?? {}) }, createdAt: now, lastSeenAt: now, expiresAt: writeMillis(s.expiresAt, 'expiresAt') };
    await this.write({ address: session.address }, () =>
      this.k
        .insertInto('portal_sessions')
        .values({ hash: hashOf(id), kind: session.kind, address: session.address, auth: session.auth, data: JSON.stringify(session.data), created_at: now, last_seen_at: now, expires_at: session.expiresAt })
        .execute(),
    );
    return { id, session };
  }

  async get(id: string): Promise<SessionRecord | null> {
    const row = await this.read(() => this.k.selectFrom('portal_sessions').selectAll().where('hash', '=', hashOf(id)).executeTakeFirst());
    if (!row) return null;
    const session = sessionFromRow(row);
    if (session.expiresAt <= this.ctx.now()) {
      await this.destroy(id);
      return null;
    }
    return session;
  }

  async touch(id: string, changes: { expiresAt?: number; data?: Readonly<Record<string, unknown>> } = {}): Promise<boolean> {
    const now = this.now();
    const set: Record<string, unknown> = { last_seen_at: now };
    if (changes.expiresAt !== undefined) set.expires_at = writeMillis(changes.expiresAt, 'expiresAt');
    if (changes.data !== undefined) set.data = JSON.stringify(changes.data);
    return this.write({}, async () => rowsAffected(await this.k.updateTable('portal_sessions').set(set).where('hash', '=', hashOf(id)).where('expires_at', '>', now).executeTakeFirst()) > 0);
  }

  async destroy(id: string): Promise<boolean> {
    return this.write({}, async () => rowsAffected(await this.k.deleteFrom('portal_sessions').where('hash', '=', hashOf(id)).executeTakeFirst()) > 0);
  }

  async destroyAll(address: string, kind?: SessionKind): Promise<number> {
    return this.write({ address: lc(address) }, async () => {
      let q = this.k.deleteFrom('portal_sessions').where('address', '=', lc(address));
      if (kind !== undefined) q = q.where('kind', '=', kind);
      return rowsAffected(await q.executeTakeFirst());
    });
  }

  async purge(before: number): Promise<number> {
    return this.write({}, async () => rowsAffected(await this.k.deleteFrom('portal_sessions').where('expires_at', '<', writeMillis(before, 'before')).executeTakeFirst()));
  }
}
