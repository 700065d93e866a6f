/**
 * The global access_token and jsapi_ticket of our appid, cached in the database and shared by every BFF
 * instance: one instance at a time fetches (an advisory lock), the others read what it stored. Every fetch
 * of a token can retire the previous one, so instances fetching on their own would knock each other out.
 */
import type { Kysely, Transaction } from 'kysely';
import { WechatApiError, type IssuedCredential, type JssdkTokenClient } from '@wxpay-shop/wechat';
import type { DB } from '../db/schema';
import type { Logger } from '../logger';
import { readCredential, saveCredential, withCredentialsLock } from './repository';

/**
 * Fetched again this long before expiry. Under 5 minutes on purpose: normal-mode stable_token hands out a
 * new token only in its last 5 minutes, so an earlier refresh would get the old token back.
 */
export const REFRESH_AHEAD_SECONDS = 240;
/** WeChat allows a force refresh of the stable token at most every 30 s (and 20 a day). */
export const FORCE_REFRESH_SPACING_MS = 30_000;

/**
 * WeChat said the access_token is invalid, but it was force-refreshed less than 30 s ago: another force
 * refresh would be refused (45011) and eat the daily 20. Try again later.
 */
export class ForceRefreshLimitedError extends Error {
  override readonly name = 'ForceRefreshLimitedError';
  readonly retryAfterSeconds = FORCE_REFRESH_SPACING_MS / 1000;
  constructor() {
    super('WeChat rejected the access_token again within 30 s of a force refresh');
  }
}

type Outcome = { ok: true; value: string } | { ok: false; error: unknown };

export class JssdkCredentials {
  private ticketInFlight: Promise<string> | null = null;

  constructor(
    private readonly db: Kysely<DB>,
    private readonly client: JssdkTokenClient,
    private readonly appId: string,
    private readonly log: Logger,
  ) {}

  /** The current jsapi_ticket: from the database while fresh, else fetched (with a token if need be). */
  async jsapiTicket(): Promise<string> {
    const cached = await readCredential(this.db, this.appId, 'jsapi_ticket');
    if (cached?.fresh) return cached.value;
    // Requests of this instance share one refresh, so they wait in memory rather than for the lock.
    this.ticketInFlight ??= this.refreshTicket().finally(() => {
      this.ticketInFlight = null;
    });
    try {
      return await this.ticketInFlight;
    } catch (err) {
      // Refreshed ahead of expiry, so a failed refresh can still fall back on a ticket WeChat accepts.
      if (!cached?.valid) throw err;
      this.log.warn({ err }, 'jsapi_ticket refresh failed; using the stored one until it expires');
      return cached.value;
    }
  }

  private async refreshTicket(): Promise<string> {
    // Failures are returned, not thrown, inside the transaction: what was fetched before them (a token,
    // the time of a force refresh) must be committed, or the next request would fetch or force again.
    const outcome = await withCredentialsLock(this.db, this.appId, async (trx): Promise<Outcome> => {
      try {
        const stored = await readCredential(trx, this.appId, 'jsapi_ticket');
        if (stored?.fresh) return { ok: true, value: stored.value };
        const ticket = await this.fetchTicket(trx);
        await saveCredential(trx, this.appId, 'jsapi_ticket', ticket, REFRESH_AHEAD_SECONDS);
        this.log.info({ expiresInSeconds: ticket.expiresInSeconds }, 'jsapi_ticket refreshed');
        return { ok: true, value: ticket.value };
      } catch (error) {
        return { ok: false, error };
      }
    });
    if (!outcome.ok) throw outcome.error;
    return outcome.value;
  }

  /** getticket with the current token; after an invalid-token errcode, one force refresh and one retry. */
  private async fetchTicket(trx: Transaction<DB>): Promise<IssuedCredential> {
    const token = await this.accessToken(trx);
    try {
      return await this.client.fetchJsapiTicket(token);
    } catch (err) {
      if (!(err instanceof WechatApiError && err.isTokenInvalid)) throw err;
      this.log.warn({ errcode: err.errcode }, 'WeChat rejected the access_token; force refresh');
      return this.client.fetchJsapiTicket(await this.forceRefreshToken(trx));
    }
  }

  /** Only under the lock. */
  private async accessToken(trx: Transaction<DB>): Promise<string> {
    const stored = await readCredential(trx, this.appId, 'access_token');
    if (stored?.fresh) return stored.value;
    const fetched = await this.client.fetchAccessToken();
    await saveCredential(trx, this.appId, 'access_token', fetched, REFRESH_AHEAD_SECONDS);
    this.log.info({ expiresInSeconds: fetched.expiresInSeconds }, 'access_token refreshed');
    return fetched.value;
  }

  /** Only under the lock, after WeChat rejected the stored token. */
  private async forceRefreshToken(trx: Transaction<DB>): Promise<string> {
    const stored = await readCredential(trx, this.appId, 'access_token', FORCE_REFRESH_SPACING_MS);
    if (stored?.recentlyForced) throw new ForceRefreshLimitedError();
    const fetched = await this.client.fetchAccessToken({ forceRefresh: true });
    await saveCredential(trx, this.appId, 'access_token', { ...fetched, forced: true }, REFRESH_AHEAD_SECONDS);
    this.log.info({ expiresInSeconds: fetched.expiresInSeconds }, 'access_token force-refreshed');
    return fetched.value;
  }
}
