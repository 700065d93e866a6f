/** The "scan and pay" page for NATIVE code_urls (§9.1), rendered server-side and escaped. */
import { html, mobilePage, type RawHtml } from '../http/html';
import { isUnpaid, type Order } from '../pay/order';

export function fen(amount: number): string {
  return (amount / 100).toFixed(2);
}

export function nativePage(
  order: Order,
  merchantName: string,
  codeUrl: string,
  message?: { ok: boolean; text: string },
): string {
  const notice: RawHtml | string = message
    ? html`<p class="notice ${message.ok ? 'ok' : 'bad'}" role="status">${message.text}</p>`
    : '';
  const payable = isUnpaid(order);
  return mobilePage(
    '微信支付',
    html`${notice}
      <div class="card">
        <p class="wx-muted">${merchantName}</p>
        <p class="amount" data-testid="wx-pay-amount">¥${fen(order.totalFee)}</p>
        <p>${order.body}</p>
        <p class="wx-muted">商户订单号 ${order.outTradeNo}</p>
      </div>
      ${
        payable
          ? html`<form method="post" action="/native/pay">
              <input type="hidden" name="code_url" value="${codeUrl}" />
              <button class="wx-btn wx-btn-primary" type="submit" data-testid="wx-pay-confirm">支付</button>
            </form>`
          : html`<p class="wx-muted" data-testid="wx-order-state">订单状态：${order.state}</p>`
      }`,
    `.card{background:#fff;border-radius:8px;padding:20px;text-align:center}.amount{font-size:36px;font-weight:600;margin:8px 0}
.notice{padding:12px;border-radius:8px;text-align:center}.ok{background:#e7f8ee;color:#06ae56}.bad{background:#fdecea;color:#e64340}`,
  );
}
