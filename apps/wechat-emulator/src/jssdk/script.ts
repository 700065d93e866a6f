/**
 * Source of /jweixin.js: a stand-in for WeChat's JS-SDK (`wx`) with the same API for the calls the shop uses:
 * config/ready/error, openAddress (a picker of test addresses), and the two share-card setters. The emulator
 * checks `wx.config` as WeChat does, including which URL is validated: on iOS the URL the page was first
 * loaded with (history changes do not count), elsewhere the current one. Untrusted strings reach the DOM via textContent only.
 */
import { PAGE_SCRIPT_HELPERS } from '../page-script-helpers';

export function jssdkScript(publicUrl: string): string {
  return `/* WeChat JS-SDK emulator — test use only */
(function () {
  'use strict';
  if (window.wx && window.wx.__emulator) return;
  var BASE = ${JSON.stringify(publicUrl)};
  // The document's own URL, as loaded: what iOS WeChat validates, however the app changed history since.
  var nav = typeof performance !== 'undefined' && performance.getEntriesByType ? performance.getEntriesByType('navigation')[0] : null;
  var LANDING_URL = ((nav && nav.name) || location.href).split('#')[0];
  var IOS = /iPhone|iPad|iPod/i.test(navigator.userAgent);
  var state = 'none';
  var allowed = [];
  var configError = null;
  var readyQueue = [];
  var errorQueue = [];
  var appId = '';

${PAGE_SCRIPT_HELPERS}
  function later(fn, arg) { setTimeout(function () { fn(arg); }, 0); }
  function signedUrl() { return IOS ? LANDING_URL : location.href.split('#')[0]; }

  /** success/fail/cancel then complete, as WeChat calls them. */
  function settle(opts, kind, res) {
    opts = opts || {};
    if (typeof opts[kind] === 'function') opts[kind](res);
    if (typeof opts.complete === 'function') opts.complete(res);
  }
  function guarded(api, opts, run) {
    if (state !== 'ready') return later(function () { settle(opts, 'fail', { errMsg: api + ':the permission value is offline verifying' }); });
    if (allowed.indexOf(api) === -1) return later(function () { settle(opts, 'fail', { errMsg: api + ':permission denied' }); });
    run();
  }

  function showAddresses(list, opts) {
    whenBody(function () {
      var overlay = el('div', { 'data-testid': 'wx-address-sheet', style: 'position:fixed;inset:0;z-index:2147483647;background:rgba(0,0,0,.5);display:flex;align-items:flex-end;justify-content:center;font-family:-apple-system,BlinkMacSystemFont,"PingFang SC","Microsoft YaHei",sans-serif' });
      var panel = el('div', { role: 'dialog', 'aria-modal': 'true', 'aria-label': '选择收货地址', style: 'width:100%;max-width:480px;background:#fff;border-radius:12px 12px 0 0;padding:16px 16px 24px;color:#191919' });
      panel.appendChild(el('div', { style: 'font-size:16px;text-align:center;margin-bottom:12px' }, '选择收货地址'));
      function close(kind, res) {
        if (overlay.parentNode) overlay.parentNode.removeChild(overlay);
        settle(opts, kind, res);
      }
      list.forEach(function (a, i) {
        var b = el('button', { type: 'button', 'data-testid': 'wx-address-' + i, style: 'display:block;width:100%;text-align:left;border:0;border-bottom:1px solid #eee;background:none;padding:10px 4px;font-size:15px;cursor:pointer' });
        b.appendChild(el('div', {}, a.userName + '  ' + a.telNumber));
        b.appendChild(el('div', { style: 'color:#888;font-size:13px' }, a.provinceName + a.cityName + a.countryName + a.detailInfo));
        b.addEventListener('click', function () {
          var res = { errMsg: 'openAddress:ok' };
          Object.keys(a).forEach(function (k) { res[k] = a[k]; });
          close('success', res);
        });
        panel.appendChild(b);
      });
      var cancel = el('button', { type: 'button', 'data-testid': 'wx-address-cancel', style: 'display:block;width:100%;height:44px;border:0;background:none;color:#576b95;font-size:16px;margin-top:8px;cursor:pointer' }, '取消');
      cancel.addEventListener('click', function () { close('cancel', { errMsg: 'openAddress:cancel' }); });
      panel.appendChild(cancel);
      overlay.appendChild(panel);
      document.body.appendChild(overlay);
    });
  }

  function share(api, kind, opts) {
    guarded(api, opts, function () {
      opts = opts || {};
      var card = { kind: kind, appId: appId, title: opts.title, desc: opts.desc, link: opts.link, imgUrl: opts.imgUrl, pageUrl: location.href };
      post('/__jssdk/share', card).then(function (r) {
        if (r.ok) settle(opts, 'success', { errMsg: api + ':ok' });
        else settle(opts, 'fail', { errMsg: api + ':' + r.errMsg });
      }, function () { settle(opts, 'fail', { errMsg: api + ':fail' }); });
    });
  }

  var wx = {
    __emulator: true,
    config: function (c) {
      c = c || {};
      state = 'pending';
      appId = c.appId;
      allowed = Array.isArray(c.jsApiList) ? c.jsApiList.slice() : [];
      var body = { appId: c.appId, timestamp: c.timestamp, nonceStr: c.nonceStr, signature: c.signature, url: signedUrl(), jsApiList: allowed };
      post('/__jssdk/config', body).then(function (r) {
        if (r.ok) {
          state = 'ready';
          readyQueue.splice(0).forEach(function (fn) { later(fn); });
        } else {
          state = 'error';
          configError = { errMsg: r.errMsg };
          errorQueue.forEach(function (fn) { later(fn, configError); });
        }
      }, function () {
        state = 'error';
        configError = { errMsg: 'config:fail' };
        errorQueue.forEach(function (fn) { later(fn, configError); });
      });
    },
    ready: function (fn) { if (state === 'ready') later(fn); else readyQueue.push(fn); },
    error: function (fn) { errorQueue.push(fn); if (state === 'error') later(fn, configError); },
    openAddress: function (opts) {
      guarded('openAddress', opts, function () {
        fetch(BASE + '/__jssdk/addresses').then(function (r) { return r.json(); }).then(function (r) {
          showAddresses(r.addresses, opts);
        }, function () { settle(opts, 'fail', { errMsg: 'openAddress:fail' }); });
      });
    },
    updateAppMessageShareData: function (opts) { share('updateAppMessageShareData', 'appMessage', opts); },
    updateTimelineShareData: function (opts) { share('updateTimelineShareData', 'timeline', opts); },
    checkJsApi: function (opts) {
      var result = {};
      ((opts && opts.jsApiList) || []).forEach(function (api) { result[api] = typeof wx[api] === 'function'; });
      later(function () { settle(opts, 'success', { errMsg: 'checkJsApi:ok', checkResult: result }); });
    }
  };
  window.wx = window.jWeixin = wx;
})();
`;
}
