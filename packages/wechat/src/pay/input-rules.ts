/** Argument checks both Pay API versions apply alike (`method: rule` messages: a bad argument is the caller's bug). Pure. */

/** 参数规定: out_refund_no ≤ 64 of [0-9A-Za-z_-|*@], in v2 and v3. */
const OUT_REFUND_NO = /^[0-9A-Za-z_\-|*@]{1,64}$/;

export function checkOutRefundNo(method: string, value: string): void {
  if (typeof value !== 'string' || !OUT_REFUND_NO.test(value)) {
    throw new Error(`${method}: outRefundNo must be 1-64 characters of [0-9A-Za-z_-|*@]`);
  }
}

/** WeChat requires an absolute http(s) URL without a query string (notifications are POSTed to it as is). */
export function checkNotifyUrl(method: string, value: string): void {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`${method}: notifyUrl must be an absolute URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error(`${method}: notifyUrl must be http(s)`);
  if (value.includes('?') || value.includes('#')) {
    throw new Error(`${method}: notifyUrl must not carry a query string or fragment`);
  }
}
