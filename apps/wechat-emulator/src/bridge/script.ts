/**
 * Source of /bridge.js: a stand-in for the WeChat WebView's WeixinJSBridge.
 * Runs in the page, possibly before the DOM exists (Playwright init script), so the pay
 * sheet is built lazily. Untrusted strings only ever reach the DOM via textContent.
 */
import { PAGE_SCRIPT_HELPERS } from '../page-script-helpers';

export function bridgeScript(publicUrl: string): string {
  return `/* WeixinJSBridge emulator — test use only */
(function () {
  'use strict';
  if (window.WeixinJSBridge && window.WeixinJSBridge.__emulator) return;
  var BASE = ${JSON.stringify(publicUrl)};
  var PAY = 'getBrandWCPayRequest';
  var listeners = {};

${PAGE_SCRIPT_HELPERS}
  function showSheet(info, ticket, done) {
    whenBody(function () {
      var overlay = el('div', { 'data-testid': 'wx-pay-sheet', style: 'position:fixed;inset:0;z-index:2147483647;background:rgba(0,0,0,.5);display:flex;align-items:flex-end;justify-content:center;font-family:-apple-system,BlinkMacSystemFont,"PingFang SC","Microsoft YaHei",sans-serif' });
      var panel = el('div', { role: 'dialog', 'aria-modal': 'true', 'aria-label': '微信支付', style: 'width:100%;max-width:480px;background:#fff;border-radius:12px 12px 0 0;padding:20px 20px 28px;text-align:center;color:#191919' });
      panel.appendChild(el('div', { style: 'font-size:15px;color:#888' }, '微信支付'));
      panel.appendChild(el('div', { 'data-testid': 'wx-pay-merchant', style: 'font-size:16px;margin-top:16px' }, info.merchantName));
      panel.appendChild(el('div', { 'data-testid': 'wx-pay-amount', style: 'font-size:36px;font-weight:600;margin:8px 0' }, '¥' + info.amount));
      panel.appendChild(el('div', { 'data-testid': 'wx-pay-body', style: 'font-size:14px;color:#888;margin-bottom:20px;word-break:break-all' }, info.body));
      var confirm = el('button', { type: 'button', 'data-testid': 'wx-pay-confirm', 'aria-label': '支付', style: 'display:block;width:100%;height:48px;border:0;border-radius:8px;background:#07c160;color:#fff;font-size:17px;font-weight:500;cursor:pointer' }, '支付');
      var cancel = el('button', { type: 'button', 'data-testid': 'wx-pay-cancel', 'aria-label': '取消', style: 'display:block;width:100%;height:44px;border:0;background:none;color:#576b95;font-size:16px;margin-top:8px;cursor:pointer' }, '取消');
      panel.appendChild(confirm);
      panel.appendChild(cancel);
      overlay.appendChild(panel);
      document.body.appendChild(overlay);

      var settled = false;
      var poll = setInterval(function () {
        fetch(BASE + '/__bridge/tickets/' + encodeURIComponent(ticket)).then(function (r) { return r.json(); }).then(function (t) {
          // Paid or cancelled from outside (control API / another tab).
          if (t.status === 'paid') finish('ok');
          else if (t.status === 'cancelled') finish('cancel');
        }).catch(function () {});
      }, 400);
      function finish(result, desc) {
        if (settled) return;
        settled = true;
        clearInterval(poll);
        if (overlay.parentNode) overlay.parentNode.removeChild(overlay);
        done(result, desc);
      }
      confirm.addEventListener('click', function () {
        confirm.disabled = true;
        confirm.textContent = '支付中…';
        post('/__bridge/tickets/' + encodeURIComponent(ticket) + '/confirm').then(function (r) {
          if (r.ok) finish('ok'); else finish('fail', r.err_desc);
        }, function () { finish('fail', '网络错误'); });
      });
      cancel.addEventListener('click', function () {
        post('/__bridge/tickets/' + encodeURIComponent(ticket) + '/cancel').catch(function () {});
        finish('cancel');
      });
    });
  }

  function pay(params, cb) {
    var reply = function (suffix, desc) {
      var res = { err_msg: 'get_brand_wcpay_request:' + suffix };
      if (desc) res.err_desc = desc;
      if (typeof cb === 'function') cb(res);
    };
    post('/__bridge/pay-request', params && typeof params === 'object' ? params : {}).then(function (r) {
      if (!r.ok) return reply('fail', r.err_desc);
      showSheet(r.sheet, r.ticket, reply);
    }, function () { reply('fail', '网络错误'); });
  }

  var bridge = {
    __emulator: true,
    invoke: function (name, params, cb) {
      if (name === PAY) return pay(params, cb);
      if (typeof cb === 'function') setTimeout(function () { cb({ err_msg: name + ':fail' }); }, 0);
    },
    call: function (name, params, cb) { bridge.invoke(name, params, cb); },
    on: function (name, cb) { (listeners[name] = listeners[name] || []).push(cb); }
  };
  window.WeixinJSBridge = bridge;

  function ready() {
    var ev;
    try { ev = new Event('WeixinJSBridgeReady'); } catch (e) { ev = document.createEvent('Event'); ev.initEvent('WeixinJSBridgeReady', false, false); }
    document.dispatchEvent(ev);
  }
  // After the page's own scripts had a chance to register their listener.
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', function () { setTimeout(ready, 0); }, { once: true });
  else setTimeout(ready, 0);
})();
`;
}
