/** Leaving for WeChat's H5 pay page (协议 §9.2), and the way back. */

/** The query flag of the page WeChat's H5 page returns to. */
export const H5_RETURN_QUERY = 'h5';

/** This order's pay page, marked as the H5 return (WeChat goes there whether or not the shopper paid). */
export function h5ReturnUrl(outTradeNo: string, origin = window.location.origin): string {
  return `${origin}/orders/${encodeURIComponent(outTradeNo)}/pay?${H5_RETURN_QUERY}=return`;
}

/** The H5 URL with `redirect_url` (URL-encoded, as WeChat requires). */
export function h5PayUrl(h5Url: string, outTradeNo: string, origin?: string): string {
  return `${h5Url}&redirect_url=${encodeURIComponent(h5ReturnUrl(outTradeNo, origin))}`;
}

/**
 * Navigates by a link with `referrerpolicy="origin"`: WeChat refuses an H5 page opened without a Referer
 * of the merchant's H5 domain (商家参数格式有误), and the shop's own policy (same-origin) would send none.
 */
export function leaveForH5Pay(h5Url: string, outTradeNo: string): void {
  const link = document.createElement('a');
  link.href = h5PayUrl(h5Url, outTradeNo);
  link.referrerPolicy = 'origin';
  link.rel = 'external';
  document.body.appendChild(link);
  link.click();
  link.remove();
}
