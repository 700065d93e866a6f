import type { Me } from '@wxpay-shop/contract';
import { fetchMe, loginUrl, type LoginScope } from '../api/auth';
import { sessionStore } from '../lib/session-storage';
import { isWeChatEnvironment } from '../wechat/environment';

export type SignedInMe = Extract<Me, { signedIn: true }>;

export type AuthState =
  | { kind: 'signed-in'; me: SignedInMe }
  /** Outside WeChat: browse and pay by NATIVE QR without signing in. */
  | { kind: 'guest' }
  | { kind: 'redirecting' }
  /** Back from WeChat OAuth still signed out (declined or failed), or signed out by the shopper: do not loop. */
  | { kind: 'login-failed'; reason: LoginFailure };

/**
 * `declined`, `snapshot` and `failed` (WeChat did not answer the code exchange) come from the BFF's
 * `?login=` flag; `signed-out`: the shopper pressed 退出登录, so they are not signed in again until they ask.
 */
export type LoginFailure = 'declined' | 'snapshot' | 'failed' | 'signed-out' | 'unknown';

export interface AuthDeps {
  inWeChat: () => boolean;
  /** The current path without the BFF's `login` flag. */
  currentPath: () => string;
  /** Reads and removes the BFF's `?login=<reason>` flag from the address bar. */
  takeLoginFlag: () => string | null;
  fetchMe: () => Promise<Me>;
  /** Leaves for sign-in in place of the current history entry, so Back after it leaves the shop. */
  replace: (url: string) => void;
  storage: () => Storage | undefined;
}

const ATTEMPT_KEY = 'wxpay-shop:login-attempt';
const ATTEMPT_WINDOW_MS = 2 * 60_000;
const SIGNED_OUT_KEY = 'wxpay-shop:signed-out';
/** For when storage is disabled: the sign-out still holds for this page. */
let signedOutHere = false;

const LOGIN_FLAG = 'login';

function searchWithoutFlag(): string {
  const params = new URLSearchParams(location.search);
  params.delete(LOGIN_FLAG);
  const search = params.toString();
  return search ? `?${search}` : '';
}

const browserDeps: AuthDeps = {
  inWeChat: isWeChatEnvironment,
  currentPath: () => `${location.pathname}${searchWithoutFlag()}${location.hash}`,
  takeLoginFlag: () => {
    const flag = new URLSearchParams(location.search).get(LOGIN_FLAG);
    if (flag !== null)
      history.replaceState(history.state, '', `${location.pathname}${searchWithoutFlag()}${location.hash}`);
    return flag;
  },
  fetchMe: () => fetchMe(),
  // Not assign(): the page would stay in history under the signed-in one, and the first Back would
  // land on it, sign in silently again and come straight back (Back seemingly doing nothing).
  replace: (url) => location.replace(url),
  storage: sessionStore,
};

function recentAttempt(storage: Storage | undefined): boolean {
  const at = Number(storage?.getItem(ATTEMPT_KEY));
  return Number.isFinite(at) && at > 0 && Date.now() - at < ATTEMPT_WINDOW_MS;
}

/**
 * Sends the shopper to WeChat sign-in, returning to the current page afterwards.
 * `snsapi_userinfo` asks for consent to share nickname and avatar; the default is silent.
 */
export function redirectToLogin(deps: AuthDeps = browserDeps, scope?: LoginScope): AuthState {
  signedOutHere = false;
  try {
    deps.storage()?.removeItem(SIGNED_OUT_KEY);
    deps.storage()?.setItem(ATTEMPT_KEY, String(Date.now()));
  } catch {
    // storage disabled: the loop guard is best effort
  }
  deps.replace(loginUrl(deps.currentPath(), scope));
  return { kind: 'redirecting' };
}

/** After 退出登录: inside WeChat, no silent sign-in until the shopper asks for one (this tab's session). */
export function rememberSignOut(deps: AuthDeps = browserDeps): void {
  signedOutHere = true;
  try {
    deps.storage()?.setItem(SIGNED_OUT_KEY, '1');
  } catch {
    // storage disabled: remembered for this page only
  }
}

/**
 * Decides who the shopper is at startup. Inside WeChat a signed-out shopper is sent
 * through OAuth (JSAPI needs an openid); elsewhere they stay a guest.
 */
export async function bootstrapAuth(deps: AuthDeps = browserDeps): Promise<AuthState> {
  const flag = deps.takeLoginFlag();
  const me = await deps.fetchMe();
  const storage = deps.storage();
  if (me.signedIn) {
    signedOutHere = false;
    storage?.removeItem(ATTEMPT_KEY);
    storage?.removeItem(SIGNED_OUT_KEY);
    return { kind: 'signed-in', me };
  }
  if (!deps.inWeChat()) return { kind: 'guest' };
  if (signedOutHere || storage?.getItem(SIGNED_OUT_KEY)) return { kind: 'login-failed', reason: 'signed-out' };
  if (flag === 'declined' || flag === 'snapshot' || flag === 'failed') return { kind: 'login-failed', reason: flag };
  if (flag !== null || recentAttempt(storage)) return { kind: 'login-failed', reason: 'unknown' };
  return redirectToLogin(deps);
}
