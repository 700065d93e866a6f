import type { Me } from '@wxpay-shop/contract';
import { fetchMe, loginUrl } from '../api/auth';
import { isWeChatEnvironment } from '../wechat/environment';

export type SignedInMe = Extract<Me, { signedIn: true }>;

export type AuthState =
  | { kind: 'signed-in'; me: SignedInMe }
  /** Outside WeChat: browse and pay by NATIVE QR without signing in. */
  | { kind: 'guest' }
  | { kind: 'redirecting' }
  /** Back from WeChat OAuth still signed out (declined or failed): do not loop. */
  | { kind: 'login-failed' };

export interface AuthDeps {
  inWeChat: () => boolean;
  currentPath: () => string;
  fetchMe: () => Promise<Me>;
  assign: (url: string) => void;
  storage: () => Storage | undefined;
}

const ATTEMPT_KEY = 'wxpay-shop:login-attempt';
const ATTEMPT_WINDOW_MS = 2 * 60_000;

const browserDeps: AuthDeps = {
  inWeChat: isWeChatEnvironment,
  currentPath: () => `${location.pathname}${location.search}${location.hash}`,
  fetchMe: () => fetchMe(),
  assign: (url) => location.assign(url),
  storage: () => {
    try {
      return sessionStorage;
    } catch {
      return undefined;
    }
  },
};

function recentAttempt(storage: Storage | undefined): boolean {
  const at = Number(storage?.getItem(ATTEMPT_KEY));
  return Number.isFinite(at) && at > 0 && Date.now() - at < ATTEMPT_WINDOW_MS;
}

/** Sends the shopper to WeChat sign-in, returning to the current page afterwards. */
export function redirectToLogin(deps: AuthDeps = browserDeps): AuthState {
  try {
    deps.storage()?.setItem(ATTEMPT_KEY, String(Date.now()));
  } catch {
    // storage disabled: the loop guard is best effort
  }
  deps.assign(loginUrl(deps.currentPath()));
  return { kind: 'redirecting' };
}

/**
 * Decides who the shopper is at startup. Inside WeChat a signed-out shopper is sent
 * through OAuth (JSAPI needs an openid); elsewhere they stay a guest.
 */
export async function bootstrapAuth(deps: AuthDeps = browserDeps): Promise<AuthState> {
  const me = await deps.fetchMe();
  const storage = deps.storage();
  if (me.signedIn) {
    storage?.removeItem(ATTEMPT_KEY);
    return { kind: 'signed-in', me };
  }
  if (!deps.inWeChat()) return { kind: 'guest' };
  if (recentAttempt(storage)) return { kind: 'login-failed' };
  return redirectToLogin(deps);
}
