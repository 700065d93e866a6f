/** Queries of the shared WeChat credentials (wechat_credentials), on the database clock. */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB, WechatCredentialsTable } from '../db/schema';
import { fromNow } from '../db/clock';

export type CredentialName = WechatCredentialsTable['name'];

export interface StoredCredential {
  value: string;
  /** refresh_at has not come yet: use it as it is. */
  fresh: boolean;
  /** expires_at has not come yet: WeChat should still accept it. */
  valid: boolean;
  /** A force refresh happened within `forceSpacingMs` (only asked of the access_token). */
  recentlyForced: boolean;
}

export async function readCredential(
  db: Kysely<DB> | Transaction<DB>,
  appId: string,
  name: CredentialName,
  forceSpacingMs = 0,
): Promise<StoredCredential | undefined> {
  const row = await db
    .selectFrom('wechat_credentials')
    .select([
      'value',
      sql<boolean>`refresh_at > now()`.as('fresh'),
      sql<boolean>`expires_at > now()`.as('valid'),
      sql<boolean>`coalesce(forced_at > ${fromNow(-forceSpacingMs)}, false)`.as('recentlyForced'),
    ])
    .where('app_id', '=', appId)
    .where('name', '=', name)
    .executeTakeFirst();
  return row && { value: row.value, fresh: row.fresh, valid: row.valid, recentlyForced: row.recentlyForced };
}

/**
 * Stores a credential fetched now that lives `expiresInSeconds`. It is fetched again after the later of
 * "`refreshAheadSeconds` before expiry" and "half its life", so a short-lived answer is not refetched on every request.
 */
export async function saveCredential(
  trx: Transaction<DB>,
  appId: string,
  name: CredentialName,
  fetched: { value: string; expiresInSeconds: number; forced?: boolean },
  refreshAheadSeconds: number,
): Promise<void> {
  const lifeMs = fetched.expiresInSeconds * 1000;
  const refreshAfterMs = Math.max(lifeMs - refreshAheadSeconds * 1000, lifeMs / 2);
  const values = {
    value: fetched.value,
    expires_at: fromNow(lifeMs),
    refresh_at: fromNow(refreshAfterMs),
    updated_at: sql<Date>`now()`,
    ...(fetched.forced ? { forced_at: sql<Date>`now()` } : {}),
  };
  await trx
    .insertInto('wechat_credentials')
    .values({ app_id: appId, name, ...values })
    .onConflict((oc) => oc.columns(['app_id', 'name']).doUpdateSet(values))
    .execute();
}

/**
 * Runs `work` holding this appid's credentials lock: a transaction-scoped advisory lock, so one BFF
 * instance at a time fetches from WeChat and the others wait, then read what it stored.
 */
export function withCredentialsLock<T>(
  db: Kysely<DB>,
  appId: string,
  work: (trx: Transaction<DB>) => Promise<T>,
): Promise<T> {
  return db.transaction().execute(async (trx) => {
    await sql`SELECT pg_advisory_xact_lock(hashtext(${`wxpay-shop:wechat-credentials:${appId}`}))`.execute(trx);
    return work(trx);
  });
}

/** How long ago each cached credential was fetched, in seconds (database clock): the metrics' token-cache age. */
export async function credentialAgesSeconds(db: Kysely<DB>): Promise<{ name: CredentialName; ageSeconds: number }[]> {
  const rows = await db
    .selectFrom('wechat_credentials')
    .select(['name', sql<string>`extract(epoch from now() - updated_at)`.as('age')])
    .execute();
  return rows.map((r) => ({ name: r.name, ageSeconds: Math.max(0, Number(r.age)) }));
}
