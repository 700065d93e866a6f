/**
 * GET /console: the developer's dashboard. The page is a static shell; /console.js (client.js)
 * fills it from /__emulator/state and drives the control API. Everything is inserted with
 * textContent (never innerHTML), so merchant-supplied strings such as body/attach cannot inject markup.
 */
import { readFileSync } from 'node:fs';
import { FAULT_TARGETS } from '../faults';
import { UNPAID_STATES } from '../pay/order';
import { REFUND_ENDS } from '../pay/refund-record';
import { supportedKinds } from '../faults';

/** The console's script, read once; served from the emulator's origin so the CSP needs no inline script. */
export const consoleScript = readFileSync(new URL('./client.js', import.meta.url), 'utf8');

/** The values the console's buttons and menus offer, from the same lists the control API checks. */
function choices(): string {
  const data = {
    unpaidStates: UNPAID_STATES,
    refundEnds: REFUND_ENDS,
    faultKinds: Object.fromEntries(FAULT_TARGETS.map((t) => [t, supportedKinds(t)])),
  };
  // Inside <script type="application/json">: no "<" may end the element early.
  return JSON.stringify(data).replace(/</g, '\\u003c');
}

export function consolePage(): string {
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>WeChat emulator console</title>
<meta name="viewport" content="width=device-width,initial-scale=1">
<style>
body{font:14px/1.4 -apple-system,BlinkMacSystemFont,"PingFang SC","Segoe UI",sans-serif;margin:0;background:#f5f5f5;color:#222}
header{background:#07c160;color:#fff;padding:10px 16px;display:flex;gap:16px;align-items:center;flex-wrap:wrap}
header h1{font-size:16px;margin:0}header .muted{color:#dff5e8}section{margin:12px 16px;background:#fff;border-radius:6px;padding:8px 12px}
h2{font-size:15px;margin:4px 0 8px}h3{font-size:14px;margin:10px 0 6px}
table{border-collapse:collapse;width:100%}
th,td{border-bottom:1px solid #eee;padding:4px 6px;text-align:left;vertical-align:top;font-size:13px}
th{color:#666;font-weight:500}code,pre{font-size:12px}pre{white-space:pre-wrap;word-break:break-all;margin:4px 0}
.muted{color:#888}.st-SUCCESS,.st-delivered{color:#06ae56}
.st-failed,.st-dropped,.st-CLOSED,.st-PAYERROR,.st-CHANGE,.st-REFUNDCLOSE{color:#e64340}
button{cursor:pointer;margin:1px 2px}ol{margin:0;padding-left:18px}
form{display:flex;gap:8px;align-items:end;flex-wrap:wrap;margin:8px 0}label{display:flex;flex-direction:column;font-size:12px;color:#555}
.share-card{display:flex;gap:8px;max-width:320px;border:1px solid #ddd;border-radius:4px;padding:8px;background:#fff}
.share-card__title{font-weight:600}
#message{margin:8px 16px;min-height:1.4em}#message.error{color:#e64340}
</style></head><body>
<header><h1>WeChat emulator</h1><span id="updated" class="muted"></span>
<span>current user: <b id="current-user"></b></span>
<button id="reset" type="button">Reset state</button></header>
<p id="message" role="status" aria-live="polite"></p>
<section><h2>Open pay sheets</h2><table id="sheets"></table></section>
<section><h2>Orders</h2><table id="orders"></table></section>
<section><h2>Payments</h2><table id="payments"></table></section>
<section><h2>Notifications</h2><table id="notifications"></table></section>
<section><h2>Refunds</h2><table id="refunds"></table>
<h3>Arranged refund outcomes</h3><table id="refund-outcomes"></table>
<form id="refund-outcome-form">
<label>status<select id="outcome-status"></select></label>
<label>out_refund_no (empty = any)<input id="outcome-refund-no" maxlength="64"></label>
<label>count<input id="outcome-count" type="number" min="1" value="1"></label>
<button type="submit">Arrange</button><button id="outcome-clear" type="button">Forget arranged outcomes</button>
</form></section>
<section><h2>JS-SDK: global access_token and jsapi_ticket</h2><table id="cgi"></table>
<p id="wxconfigs" class="muted"></p>
<button id="invalidate-tokens" type="button">Invalidate global tokens (as another server's /cgi-bin/token would)</button></section>
<section><h2>Share cards</h2><table id="shares"></table></section>
<section><h2>Faults</h2><table id="faults"></table>
<form id="fault-form">
<label>target<select id="fault-target"></select></label>
<label>kind<select id="fault-kind"></select></label>
<label>count<input id="fault-count" type="number" min="1" value="1"></label>
<label>delayMs<input id="fault-delay" type="number" min="0" placeholder="default"></label>
<label>errCode<input id="fault-errcode" placeholder="NOTENOUGH"></label>
<label>errCodeDes<input id="fault-errcodedes" maxlength="128" placeholder="WeChat's wording"></label>
<button type="submit">Inject</button><button id="faults-clear" type="button">Clear all faults</button>
</form></section>
<section><h2>Daily bill (对账单)</h2><form id="bill-form" method="get" action="/__emulator/bill">
<label>mch_id <input name="mchId" placeholder="the default merchant"></label>
<label>Day (yyyyMMdd, Beijing) <input name="date" pattern="[0-9]{8}" required></label>
<button type="submit">Download bill</button></form></section>
<section><h2>Test users</h2><table id="users"></table></section>
<section><h2>OAuth codes and tokens</h2><h3>Codes</h3><table id="oauth-codes"></table>
<h3>Access tokens</h3><table id="oauth-tokens"></table></section>
<script type="application/json" id="choices">${choices()}</script>
<script src="/console.js"></script>
</body></html>`;
}
