/** Persistence of signed-in shoppers. */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema';

/** Inserts or refreshes the shopper; returns the stored profile (which may predate this sign-in). */
export async function upsertShopper(
  db: Kysely<DB>,
  shopper: { openid: string; nickname: string | null; avatarUrl: string | null },
): Promise<{ nickname: string | null; avatar_url: string | null }> {
  const now = new Date();
  return db
    .insertInto('shoppers')
    .values({ openid: shopper.openid, nickname: shopper.nickname, avatar_url: shopper.avatarUrl, last_login_at: now })
    .onConflict((oc) =>
      oc.column('openid').doUpdateSet((eb) => ({
        // A silent snsapi_base sign-in must not erase a profile obtained earlier with consent.
        nickname: eb.fn.coalesce(eb.ref('excluded.nickname'), eb.ref('shoppers.nickname')),
        avatar_url: eb.fn.coalesce(eb.ref('excluded.avatar_url'), eb.ref('shoppers.avatar_url')),
        last_login_at: now,
      })),
    )
    .returning(['nickname', 'avatar_url'])
    .executeTakeFirstOrThrow();
}

/** Orders placed as a guest in this session become the signed-in shopper's. */
export async function claimGuestOrders(db: Kysely<DB>, ownerId: string, openid: string): Promise<void> {
  await db.updateTable('orders').set({ openid }).where('owner_id', '=', ownerId).where('openid', 'is', null).execute();
}
