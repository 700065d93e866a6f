/**
 * Which URL a `wx.config` signature must cover (§1.11): on iOS WeChat the URL the single-page app was first
 * loaded with (history changes do not count), elsewhere the current one; never the `#…` part. Pure.
 */

/** iOS WeChat validates the landing URL; every other client the current one. */
export function isIOSUserAgent(userAgent: string): boolean {
  return /iPhone|iPad|iPod/i.test(userAgent);
}

export function signatureUrl(input: { userAgent: string; landingUrl: string; currentUrl: string }): string {
  const url = isIOSUserAgent(input.userAgent) ? input.landingUrl : input.currentUrl;
  return url.split('#')[0]!;
}

/**
 * The URL this document was loaded with: the navigation entry (what the WebView itself recorded), else the
 * address at the time this module is first imported, before the router changes anything.
 */
function documentUrl(): string {
  const entry = typeof performance !== 'undefined' ? performance.getEntriesByType?.('navigation')[0] : undefined;
  return (entry?.name || location.href).split('#')[0]!;
}

export const LANDING_URL = typeof location === 'undefined' ? '' : documentUrl();

/**
 * A product link fit to share: absolute, without the `#…` part and without sign-in parameters (`code`,
 * `state`), so a shared link never carries this shopper's OAuth code to someone else.
 */
export function shareableLink(url: string): string {
  const parsed = new URL(url);
  parsed.hash = '';
  for (const name of ['code', 'state']) parsed.searchParams.delete(name);
  return parsed.href;
}
