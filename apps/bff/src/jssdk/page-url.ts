/** Which page URLs the BFF signs for `wx.config`: only the shop's own, or anyone could use our ticket. Pure. */
import { signedPageUrl } from '@wxpay-shop/wechat';

/** Longer page URLs are not ours (the SPA's routes and sign-in parameters stay far below). */
export const MAX_PAGE_URL_LENGTH = 2048;

/**
 * The URL to sign (without `#…`), exactly as the page sent it, when it is an absolute http(s) URL whose
 * text starts with the shop's origin followed by `/`, `?` or nothing. The text is checked, not only the
 * parsed origin, so `https://shop.example@evil.example/` or `https://shop.example.evil.example/` never pass.
 */
export function signablePageUrl(
  raw: unknown,
  shopBaseUrl: string,
): { ok: true; value: string } | { ok: false; problem: string } {
  if (typeof raw !== 'string' || raw === '') return { ok: false, problem: 'url is required (the page URL to sign)' };
  if (raw.length > MAX_PAGE_URL_LENGTH)
    return { ok: false, problem: `url is longer than ${MAX_PAGE_URL_LENGTH} characters` };
  // eslint-disable-next-line no-control-regex -- control characters and spaces are what is refused
  if (/[\u0000-\u0020\u007f]/.test(raw))
    return { ok: false, problem: 'url must not contain spaces or control characters' };
  const url = signedPageUrl(raw);
  const origin = new URL(shopBaseUrl).origin;
  const rest = url.startsWith(origin) ? url.slice(origin.length) : null;
  if (rest === null || !(rest === '' || rest.startsWith('/') || rest.startsWith('?'))) {
    return { ok: false, problem: `url must be a page of ${origin}` };
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { ok: false, problem: 'url must be an absolute URL' };
  }
  if (parsed.origin !== origin) return { ok: false, problem: `url must be a page of ${origin}` };
  return { ok: true, value: url };
}
