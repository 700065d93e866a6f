/**
 * GET /console: a dev dashboard polling /__emulator/state. All values are inserted with
 * textContent (never innerHTML), so merchant-supplied strings such as body/attach cannot inject markup.
 */
export function consolePage(): string {
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>WeChat emulator console</title>
<meta name="viewport" content="width=device-width,initial-scale=1">
<style>
body{font:14px/1.4 -apple-system,BlinkMacSystemFont,"PingFang SC","Segoe UI",sans-serif;margin:0;background:#f5f5f5;color:#222}
header{background:#07c160;color:#fff;padding:10px 16px;display:flex;gap:16px;align-items:center}
header h1{font-size:16px;margin:0}section{margin:12px 16px;background:#fff;border-radius:6px;padding:8px 12px}
h2{font-size:15px;margin:4px 0 8px}table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #eee;padding:4px 6px;text-align:left;vertical-align:top;font-size:13px}
th{color:#666;font-weight:500}code{font-size:12px}.muted{color:#888}.st-SUCCESS,.st-delivered{color:#06ae56}.st-failed,.st-dropped,.st-CLOSED,.st-PAYERROR,.st-CHANGE,.st-REFUNDCLOSE{color:#e64340}
button{cursor:pointer}ol{margin:0;padding-left:18px}
</style></head><body>
<header><h1>WeChat emulator</h1><span id="updated" class="muted"></span>
<button id="reset" type="button">Reset state</button></header>
<section><h2>Orders</h2><table id="orders"></table></section>
<section><h2>Payments</h2><table id="payments"></table></section>
<section><h2>Notifications</h2><table id="notifications"></table></section>
<section><h2>Refunds</h2><table id="refunds"></table></section>
<section><h2>Active faults</h2><table id="faults"></table></section>
<section><h2>Test users</h2><table id="users"></table></section>
<script>
(function () {
  function cell(row, value, cls) {
    var td = document.createElement('td');
    if (value instanceof Node) td.appendChild(value); else td.textContent = value === undefined || value === null ? '' : String(value);
    if (cls) td.className = cls;
    row.appendChild(td);
  }
  function table(id, headers, rows) {
    var t = document.getElementById(id);
    t.textContent = '';
    var head = document.createElement('tr');
    headers.forEach(function (h) { var th = document.createElement('th'); th.textContent = h; head.appendChild(th); });
    t.appendChild(head);
    if (rows.length === 0) { var r = document.createElement('tr'); cell(r, 'none', 'muted'); t.appendChild(r); }
    rows.forEach(function (cells) {
      var tr = document.createElement('tr');
      cells.forEach(function (c) { if (c && c.cls !== undefined) cell(tr, c.value, c.cls); else cell(tr, c); });
      t.appendChild(tr);
    });
  }
  function time(ms) { return ms ? new Date(ms).toLocaleTimeString() : ''; }
  function yuan(fen) { return '¥' + (fen / 100).toFixed(2); }
  function attempts(list) {
    var ol = document.createElement('ol');
    list.forEach(function (a) {
      var li = document.createElement('li');
      li.textContent = time(a.at) + ' ' + a.outcome + (a.httpStatus ? ' HTTP ' + a.httpStatus : '') + (a.reason ? ' (' + a.reason + ')' : '') + (a.manual ? ' [' + a.manual + ']' : '') + ' — ' + a.reply;
      ol.appendChild(li);
    });
    return ol;
  }
  function replayButton(id) {
    var b = document.createElement('button');
    b.type = 'button';
    b.textContent = 'Replay';
    b.addEventListener('click', function () { fetch('/__emulator/notifications/' + encodeURIComponent(id) + '/replay', { method: 'POST' }).then(refresh); });
    return b;
  }
  function render(s) {
    table('orders', ['out_trade_no', 'state', 'amount', 'trade type', 'prepay_id', 'sign type', 'body', 'created'], s.orders.map(function (o) {
      return [o.outTradeNo, { value: o.state, cls: 'st-' + o.state }, yuan(o.totalFee), o.tradeType, o.prepayId, o.signType, o.body, time(o.createdAt)];
    }));
    table('payments', ['out_trade_no', 'transaction_id', 'amount', 'openid', 'time_end'], s.orders.filter(function (o) { return o.transactionId; }).map(function (o) {
      return [o.outTradeNo, o.transactionId, yuan(o.totalFee), o.openid, o.timeEnd];
    }));
    table('notifications', ['id', 'kind', 'order', 'url', 'status', 'attempts', 'next', ''], s.notifications.map(function (n) {
      return [n.id, n.kind, n.outTradeNo + (n.outRefundNo ? ' / ' + n.outRefundNo : ''), n.url, { value: n.status, cls: 'st-' + n.status }, attempts(n.attempts), time(n.nextAttemptAt), replayButton(n.id)];
    }));
    table('refunds', ['out_refund_no', 'out_trade_no', 'refund_id', 'amount', 'status', 'notify_url'], s.refunds.map(function (r) {
      return [r.outRefundNo, r.outTradeNo, r.refundId, yuan(r.refundFee), { value: r.status, cls: 'st-' + r.status }, r.notifyUrl || ''];
    }));
    table('faults', ['target', 'kind', 'remaining', 'delayMs'], s.faults.map(function (f) { return [f.target, f.kind + (f.errCode ? ' ' + f.errCode : ''), f.remaining, f.delayMs === undefined ? '' : f.delayMs]; }));
    table('users', ['id', 'nickname', 'current', 'openids'], s.users.map(function (u) {
      return [u.id, u.nickname, u.id === s.currentUserId ? '✔' : '', Object.keys(u.openids).map(function (k) { return k + ': ' + u.openids[k]; }).join('  ')];
    }));
    document.getElementById('updated').textContent = 'updated ' + new Date().toLocaleTimeString();
  }
  function refresh() { return fetch('/__emulator/state').then(function (r) { return r.json(); }).then(render).catch(function () {}); }
  document.getElementById('reset').addEventListener('click', function () { fetch('/__emulator/reset', { method: 'POST' }).then(refresh); });
  refresh();
  setInterval(refresh, 1000);
})();
</script>
</body></html>`;
}
