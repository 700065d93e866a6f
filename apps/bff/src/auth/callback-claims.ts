/**
 * Makes an OAuth callback single-use across concurrent requests. The pending state lives in the
 * session, which koa-session saves only when the request ends, so two callbacks that load the same
 * session at once both find it. A row keyed by the state is what only one of them can insert: that
 * one exchanges the code; the others wait for its outcome and answer the same way, without a second
 * exchange and without saving the pre-login session that the winner has just retired.
 */
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import { safeEqual } from '@wxpay-shop/wechat';
import type { DB } from '../db/schema';

export type CallbackOutcome =
  | {
      kind: 'signedIn';
      returnTo: string;
      openid: string;
      ownerId: string;
      nickname: string | null;
      avatarUrl: string | null;
    }
  | { kind: 'redirect'; location: string }
  | { kind: 'rejected'; message: string };

const POLL_MS = 50;

const hashCode = (code: string) => createHash('sha256').update(code).digest('hex');

/** True for the one callback (per state) that may exchange the code. */
export async function claimCallback(db: Kysely<DB>, state: string, code: string, expiresAt: Date): Promise<boolean> {
  const row = await db
    .insertInto('oauth_callbacks')
    .values({ state, code_hash: hashCode(code), expires_at: expiresAt })
    .onConflict((oc) => oc.column('state').doNothing())
    .returning('state')
    .executeTakeFirst();
  return row !== undefined;
}

export async function settleCallback(db: Kysely<DB>, state: string, outcome: CallbackOutcome): Promise<void> {
  await db
    .updateTable('oauth_callbacks')
    .set({ outcome: JSON.stringify(outcome) })
    .where('state', '=', state)
    .execute();
}

/**
 * The winning callback's outcome once it has one: 'OTHER_CODE' when this callback carries another
 * code (it shares nothing), null when the winner did not finish within timeoutMs.
 */
export async function awaitCallbackOutcome(
  db: Kysely<DB>,
  state: string,
  code: string,
  timeoutMs: number,
): Promise<CallbackOutcome | 'OTHER_CODE' | null> {
  const deadline = Date.now() + timeoutMs;
  const codeHash = hashCode(code);
  for (;;) {
    const row = await db
      .selectFrom('oauth_callbacks')
      .select(['code_hash', 'outcome'])
      .where('state', '=', state)
      .executeTakeFirst();
    if (row && !safeEqual(row.code_hash, codeHash)) return 'OTHER_CODE';
    if (row?.outcome)
      return (typeof row.outcome === 'string' ? JSON.parse(row.outcome) : row.outcome) as CallbackOutcome;
    if (!row || Date.now() >= deadline) return null;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/** Deletes claims whose state can no longer be used anyway; called by the reconciler's timer. */
export async function purgeExpiredCallbackClaims(db: Kysely<DB>): Promise<number> {
  const result = await db.deleteFrom('oauth_callbacks').where('expires_at', '<', new Date()).executeTakeFirst();
  return Number(result.numDeletedRows);
}
