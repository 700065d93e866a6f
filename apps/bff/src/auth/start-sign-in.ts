/** Starts a WeChat sign-in: a pending state in the session, and the authorize URL to send the browser to. */
import type { Context } from 'koa';
import type { OAuthScope } from '@wxpay-shop/wechat';
import type { Services } from '../services';
import { ownerIdOf } from '../sessions/session';
import { addPendingState } from './pending-state';

/** `returnTo` must already be a safe same-site path (safeReturnTo). */
export function startSignIn(
  ctx: Context,
  { oauth, urls }: Pick<Services, 'oauth' | 'urls'>,
  scope: OAuthScope,
  returnTo: string,
): string {
  ownerIdOf(ctx);
  const pending = addPendingState(ctx, scope, returnTo);
  return oauth.authorizeUrl({ redirectUri: urls.oauthCallback, scope: pending.scope, state: pending.state });
}
