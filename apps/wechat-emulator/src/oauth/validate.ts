/** Pure checks of the authorize request, mirroring the error codes WeChat shows on its page. */
import type { MerchantDirectory } from '../merchants';
import type { OAuthScope } from '@wxpay-shop/wechat';

type AuthorizeCheck =
  | { ok: true; appId: string; redirectUri: string; scope: OAuthScope; state: string }
  | { ok: false; code: number | string; message: string };

export const STATE_PATTERN = /^[a-zA-Z0-9]{0,128}$/;

export function checkAuthorizeRequest(
  query: Record<string, string | undefined>,
  merchants: MerchantDirectory,
): AuthorizeCheck {
  const { appid, redirect_uri: redirectUri, response_type: responseType, scope, state = '' } = query;
  if (!appid) return { ok: false, code: 10012, message: 'appid参数为空' };
  const merchant = merchants.byAppId(appid);
  if (!merchant) return { ok: false, code: 40013, message: 'invalid appid：appid无效' };
  if (!redirectUri) return { ok: false, code: 10011, message: 'redirect_uri参数为空' };
  let url: URL;
  try {
    url = new URL(redirectUri);
  } catch {
    return { ok: false, code: 10003, message: 'redirect_uri参数错误' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return { ok: false, code: 10003, message: 'redirect_uri参数错误' };
  // The domain setting is a bare host name: exact match, port ignored.
  if (!merchant.oauthDomains.includes(url.hostname))
    return { ok: false, code: 10003, message: 'redirect_uri域名与后台配置不一致' };
  if (url.hash) return { ok: false, code: 10003, message: 'redirect_uri不能包含#片段' };
  if (responseType !== 'code')
    return { ok: false, code: 'response_type', message: 'response_type参数错误，必须为code' };
  if (!scope) return { ok: false, code: 10010, message: 'scope参数为空' };
  if (scope !== 'snsapi_base' && scope !== 'snsapi_userinfo')
    return { ok: false, code: 10005, message: '此公众号并没有这些scope的权限' };
  if (!STATE_PATTERN.test(state))
    return { ok: false, code: 'state', message: 'state参数错误：只能包含a-zA-Z0-9，最多128字节' };
  return { ok: true, appId: appid, redirectUri, scope, state };
}

/** Appends `code`/`state` to the callback verbatim, keeping its own query byte for byte (as WeChat does). */
export function callbackUrl(redirectUri: string, params: { code?: string; state: string }): string {
  const extra =
    (params.code !== undefined ? `code=${encodeURIComponent(params.code)}&` : '') +
    `state=${encodeURIComponent(params.state)}`;
  if (!redirectUri.includes('?')) return `${redirectUri}?${extra}`;
  return redirectUri.endsWith('?') || redirectUri.endsWith('&') ? `${redirectUri}${extra}` : `${redirectUri}&${extra}`;
}
