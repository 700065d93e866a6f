/**
 * Typed access to the koa-session object. A session gets a guest owner id when it first writes
 * (creates an order, starts a sign-in), so shoppers outside WeChat can still order and pay by QR
 * code (NATIVE); a session that only reads gets none.
 */
import { randomBytes } from 'node:crypto';
import type { Context } from 'koa';
import type { OAuthScope } from '@wxpay-shop/wechat';

export interface PendingOAuth {
  state: string;
  returnTo: string;
  scope: OAuthScope;
  expiresAt: number;
}

export interface SessionData {
  ownerId?: string;
  openid?: string;
  nickname?: string | null;
  avatarUrl?: string | null;
  oauth?: PendingOAuth[];
  /** The sign-in just completed, so a callback that WeChat's client loads twice is answered again. */
  completedOAuth?: { state: string; code: string; returnTo: string; expiresAt: number };
}

interface KoaSession extends SessionData {
  regenerate(): Promise<void> | undefined;
}

export function sessionOf(ctx: Context): KoaSession {
  const session = (ctx as unknown as { session: KoaSession | null }).session;
  if (!session) throw new Error('session middleware is not installed');
  return session;
}

export function destroySession(ctx: Context): void {
  (ctx as unknown as { session: null }).session = null;
}

const newGuestOwnerId = (): string => `g_${randomBytes(12).toString('hex')}`;

/** The shopper's owner id, minted on first use. */
export function ownerIdOf(ctx: Context): string {
  const session = sessionOf(ctx);
  session.ownerId ??= newGuestOwnerId();
  return session.ownerId;
}

export interface Shopper {
  ownerId: string;
  openid: string | null;
}

/** The shopper, minting a guest owner id (and so a stored session) if there is none yet: for writes. */
export function shopperOf(ctx: Context): Shopper {
  return { ownerId: ownerIdOf(ctx), openid: sessionOf(ctx).openid ?? null };
}

/**
 * The shopper a write would act as, without storing anything yet: this session's, or a new guest whose
 * owner id only reaches the session (and so a row and a cookie) through `keepShopper`, once the write
 * succeeded. A refused request then leaves no session behind.
 */
export function prospectiveShopper(ctx: Context): Shopper {
  return existingShopper(ctx) ?? { ownerId: newGuestOwnerId(), openid: sessionOf(ctx).openid ?? null };
}

/** Stores a prospective shopper's owner id in the session: call it once the shopper owns something. */
export function keepShopper(ctx: Context, shopper: Shopper): void {
  sessionOf(ctx).ownerId ??= shopper.ownerId;
}

/**
 * The shopper if this session has ever owned anything, else null: for reads, so a visitor (or a
 * crawler) that only looks costs no session row and gets no cookie.
 */
export function existingShopper(ctx: Context): Shopper | null {
  const session = sessionOf(ctx);
  return session.ownerId ? { ownerId: session.ownerId, openid: session.openid ?? null } : null;
}
