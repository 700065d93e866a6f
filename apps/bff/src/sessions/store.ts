/** koa-session external store: the cookie carries only a signed id, the data lives in `sessions`. */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema';

export function createSessionStore(db: Kysely<DB>) {
  return {
    async get(id: string): Promise<Record<string, unknown> | undefined> {
      const row = await db
        .selectFrom('sessions')
        .select(['data', 'expires_at'])
        .where('id', '=', id)
        .executeTakeFirst();
      if (!row || row.expires_at.getTime() <= Date.now()) return undefined;
      return (typeof row.data === 'string' ? JSON.parse(row.data) : row.data) as Record<string, unknown>;
    },
    async set(id: string, data: Record<string, unknown>, maxAge: number): Promise<void> {
      const expiresAt = new Date(Date.now() + (Number.isFinite(maxAge) && maxAge > 0 ? maxAge : 86_400_000));
      const json = JSON.stringify(data);
      await db
        .insertInto('sessions')
        .values({ id, data: json, expires_at: expiresAt })
        .onConflict((oc) => oc.column('id').doUpdateSet({ data: json, expires_at: expiresAt }))
        .execute();
    },
    async destroy(id: string): Promise<void> {
      await db.deleteFrom('sessions').where('id', '=', id).execute();
    },
  };
}

/** Deletes expired sessions; called by the reconciler's timer. */
export async function purgeExpiredSessions(db: Kysely<DB>): Promise<number> {
  const result = await db.deleteFrom('sessions').where('expires_at', '<', new Date()).executeTakeFirst();
  return Number(result.numDeletedRows);
}
