/**
 * The console's browser script (served as /console.js): renders GET /__emulator/state, re-rendering
 * only when it changed (polled every second), and drives every control API route from buttons and
 * forms. Values go in with textContent only. Same-origin fetches with JSON bodies, as the emulator's
 * cross-site checks require.
 */
(function () {
  'use strict';
  var choices = JSON.parse(document.getElementById('choices').textContent);
  var lastText = '';

  function el(tag, text, attrs) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    Object.keys(attrs || {}).forEach(function (k) {
      node.setAttribute(k, attrs[k]);
    });
    return node;
  }

  function say(text, isError) {
    var m = document.getElementById('message');
    m.textContent = text;
    m.className = isError ? 'error' : '';
  }

  /** One control API call; its answer (or error) goes to the status line, then the view refreshes. */
  function call(method, path, body, done) {
    var init = { method: method, headers: {} };
    if (body !== undefined) {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    return fetch(path, init)
      .then(function (res) {
        return res.text().then(function (text) {
          var data = null;
          try {
            data = text ? JSON.parse(text) : null;
          } catch {
            data = null;
          }
          if (!res.ok) throw new Error((data && data.error) || text || 'HTTP ' + res.status);
          say(method + ' ' + path + ' → ' + res.status + (done ? ': ' + done(data) : ''), false);
        });
      })
      .catch(function (err) {
        say(method + ' ' + path + ' failed: ' + err.message, true);
      })
      .then(refresh);
  }

  function button(label, action, onClick) {
    var b = el('button', label, { type: 'button', 'data-action': action });
    b.addEventListener('click', onClick);
    return b;
  }

  function group(nodes) {
    var span = el('span');
    nodes.forEach(function (n) {
      span.appendChild(n);
    });
    return span;
  }

  /** rows: [{ id, cells }]; a cell is text, a Node, or { value, cls }. */
  function table(id, headers, rows) {
    var t = document.getElementById(id);
    t.textContent = '';
    var head = el('tr');
    headers.forEach(function (h) {
      head.appendChild(el('th', h));
    });
    t.appendChild(head);
    if (rows.length === 0) {
      var empty = el('tr');
      empty.appendChild(el('td', 'none', { class: 'muted', colspan: String(headers.length) }));
      t.appendChild(empty);
    }
    rows.forEach(function (row) {
      var tr = el('tr', null, { 'data-id': row.id });
      row.cells.forEach(function (c) {
        var td = el('td');
        if (c instanceof Node) td.appendChild(c);
        else if (c && typeof c === 'object') {
          td.textContent = c.value === undefined ? '' : String(c.value);
          td.className = c.cls;
        } else td.textContent = c === undefined || c === null ? '' : String(c);
        tr.appendChild(td);
      });
      t.appendChild(tr);
    });
  }

  function time(ms) {
    return ms ? new Date(ms).toLocaleTimeString() : '';
  }
  function yuan(fen) {
    return fen === undefined ? '' : '¥' + (fen / 100).toFixed(2);
  }
  function status(value) {
    return { value: value, cls: 'st-' + value };
  }

  function attempts(n) {
    var box = el('div');
    var ol = el('ol');
    n.attempts.forEach(function (a) {
      ol.appendChild(
        el(
          'li',
          time(a.at) +
            ' ' +
            a.outcome +
            (a.httpStatus ? ' HTTP ' + a.httpStatus : '') +
            (a.reason ? ' (' + a.reason + ')' : '') +
            (a.manual ? ' [' + a.manual + ']' : '') +
            ' — our reply: ' +
            a.reply,
        ),
      );
    });
    box.appendChild(ol);
    var details = el('details');
    details.appendChild(el('summary', 'sent body'));
    details.appendChild(el('pre', n.body));
    box.appendChild(details);
    return box;
  }

  function renderSheets(s) {
    table(
      'sheets',
      ['out_trade_no', 'amount', 'body', 'prepay_id', 'opened', ''],
      s.paySheets.map(function (t) {
        return {
          id: t.id,
          cells: [
            t.outTradeNo,
            yuan(t.totalFee),
            t.body,
            t.prepayId,
            time(t.createdAt),
            group([
              button('Pay', 'sheet-pay', function () {
                call('POST', '/__emulator/pay', { prepayId: t.prepayId });
              }),
              button('Cancel', 'sheet-cancel', function () {
                call('POST', '/__emulator/cancel', { prepayId: t.prepayId });
              }),
            ]),
          ],
        };
      }),
    );
  }

  function orderActions(o, s) {
    var unpaid = choices.unpaidStates.indexOf(o.state) >= 0;
    var nodes = [];
    if (unpaid) {
      nodes.push(
        button('Pay', 'order-pay', function () {
          call('POST', '/__emulator/pay', { prepayId: o.prepayId });
        }),
      );
      if (s.nextSheetCancels.indexOf(o.prepayId) < 0) {
        nodes.push(
          button('Cancel next sheet', 'order-cancel-next', function () {
            call('POST', '/__emulator/cancel', { prepayId: o.prepayId });
          }),
        );
      } else nodes.push(el('span', 'next sheet cancels', { class: 'muted' }));
      choices.unpaidStates.forEach(function (state) {
        if (state === o.state) return;
        nodes.push(
          button('→ ' + state, 'trade-state', function () {
            call('POST', '/__emulator/trade-state', { prepayId: o.prepayId, tradeState: state });
          }),
        );
      });
    }
    if (o.transactionId) {
      nodes.push(
        button('Notify ×2', 'notify-duplicates', function () {
          call('POST', '/__emulator/notify-duplicates', { outTradeNo: o.outTradeNo, times: 2 });
        }),
      );
    }
    return group(nodes);
  }

  function renderOrders(s) {
    table(
      'orders',
      ['out_trade_no', 'state', 'amount', 'trade type', 'prepay_id', 'sign type', 'body', 'created', ''],
      s.orders.map(function (o) {
        return {
          id: o.outTradeNo,
          cells: [
            o.outTradeNo,
            status(o.state),
            yuan(o.totalFee),
            o.tradeType,
            o.prepayId,
            o.signType,
            o.body,
            time(o.createdAt),
            orderActions(o, s),
          ],
        };
      }),
    );
    table(
      'payments',
      ['out_trade_no', 'transaction_id', 'amount', 'openid', 'time_end'],
      s.orders
        .filter(function (o) {
          return o.transactionId;
        })
        .map(function (o) {
          return { id: o.outTradeNo, cells: [o.outTradeNo, o.transactionId, yuan(o.totalFee), o.openid, o.timeEnd] };
        }),
    );
  }

  function renderNotifications(s) {
    table(
      'notifications',
      ['id', 'kind', 'order', 'url', 'status', 'attempts and our replies', 'next', ''],
      s.notifications.map(function (n) {
        return {
          id: n.id,
          cells: [
            n.id,
            n.kind,
            n.outTradeNo + (n.outRefundNo ? ' / ' + n.outRefundNo : ''),
            n.url,
            status(n.status),
            attempts(n),
            time(n.nextAttemptAt),
            button('Replay', 'replay', function () {
              call('POST', '/__emulator/notifications/' + encodeURIComponent(n.id) + '/replay');
            }),
          ],
        };
      }),
    );
  }

  function renderRefunds(s) {
    table(
      'refunds',
      ['out_refund_no', 'out_trade_no', 'refund_id', 'amount', 'status', 'ends', 'notify_url', ''],
      s.refunds.map(function (r) {
        var open = r.status === 'PROCESSING' || r.status === 'CHANGE';
        var ends = open
          ? choices.refundEnds
              .filter(function (e) {
                return e !== r.status;
              })
              .map(function (end) {
                return button('End ' + end, 'refund-end', function () {
                  call('POST', '/__emulator/refund-outcome', { status: end, outRefundNo: r.outRefundNo });
                });
              })
          : [];
        return {
          id: r.outRefundNo,
          cells: [
            r.outRefundNo,
            r.outTradeNo,
            r.refundId,
            yuan(r.refundFee),
            status(r.status),
            r.endStatus || '',
            r.notifyUrl || '',
            group(ends),
          ],
        };
      }),
    );
    table(
      'refund-outcomes',
      ['status', 'out_refund_no', 'remaining'],
      s.refundOutcomes.map(function (o) {
        return { id: String(o.id), cells: [status(o.status), o.outRefundNo || 'any', o.remaining] };
      }),
    );
  }

  function renderFaults(s) {
    table(
      'faults',
      ['target', 'kind', 'remaining', 'delayMs', ''],
      s.faults.map(function (f) {
        return {
          id: String(f.id),
          cells: [
            f.target,
            f.kind + (f.errCode ? ' ' + f.errCode : ''),
            f.remaining,
            f.delayMs === undefined ? '' : f.delayMs,
            button('Clear', 'fault-clear', function () {
              call('DELETE', '/__emulator/faults/' + f.id);
            }),
          ],
        };
      }),
    );
  }

  function renderUsers(s) {
    table(
      'users',
      ['id', 'nickname', 'current', 'openids', ''],
      s.users.map(function (u) {
        var current = u.id === s.currentUserId;
        return {
          id: u.id,
          cells: [
            u.id,
            u.nickname,
            current ? '✔' : '',
            Object.keys(u.openids)
              .map(function (k) {
                return k + ': ' + u.openids[k];
              })
              .join('  '),
            current
              ? ''
              : button('Make current', 'current-user', function () {
                  call('POST', '/__emulator/oauth/current-user', { userId: u.id });
                }),
          ],
        };
      }),
    );
    var user = s.users.filter(function (u) {
      return u.id === s.currentUserId;
    })[0];
    document.getElementById('current-user').textContent = user ? user.nickname + ' (' + user.id + ')' : s.currentUserId;
  }

  function renderOauth(s) {
    table(
      'oauth-codes',
      ['code', 'appid', 'user', 'scope', 'used', 'issued'],
      s.oauth.codes.map(function (c) {
        return {
          id: c.code,
          cells: [c.code, c.appId, c.userId, c.scope, c.used ? 'used' : 'unused', time(c.issuedAt)],
        };
      }),
    );
    table(
      'oauth-tokens',
      ['access_token', 'appid', 'user', 'openid', 'scope', 'expires'],
      s.oauth.accessTokens.map(function (t) {
        return { id: t.token, cells: [t.token, t.appId, t.userId, t.openid, t.scope, time(t.expiresAt)] };
      }),
    );
  }

  /** A chat-card look: title, description and picture; the image is loaded only from an http(s) URL. */
  function sharePreview(c) {
    var card = el('div', null, { class: 'share-card' });
    var text = el('div');
    text.appendChild(el('div', c.title, { class: 'share-card__title' }));
    text.appendChild(el('div', c.desc || '', { class: 'muted' }));
    card.appendChild(text);
    if (typeof c.imgUrl === 'string' && (c.imgUrl.indexOf('http://') === 0 || c.imgUrl.indexOf('https://') === 0)) {
      card.appendChild(el('img', null, { src: c.imgUrl, alt: '', width: '48', height: '48' }));
    }
    return card;
  }

  function renderJssdk(s) {
    table(
      'cgi',
      ['endpoint', 'calls', 'errcode answers'],
      Object.keys(s.jssdk.calls).map(function (k) {
        return { id: k, cells: [k, s.jssdk.calls[k].calls, s.jssdk.calls[k].errors] };
      }),
    );
    document.getElementById('wxconfigs').textContent =
      'wx.config from /jweixin.js pages: ' + s.jssdk.configs.ok + ' ok, ' + s.jssdk.configs.failed + ' refused';
    table(
      'shares',
      ['preview', 'kind', 'link', 'page', 'at'],
      s.jssdk.shares
        .slice()
        .reverse()
        .map(function (c, i) {
          return { id: String(i), cells: [sharePreview(c), c.kind, c.link, c.pageUrl, time(c.at)] };
        }),
    );
  }

  function render(s) {
    renderSheets(s);
    renderOrders(s);
    renderNotifications(s);
    renderRefunds(s);
    renderJssdk(s);
    renderFaults(s);
    renderUsers(s);
    renderOauth(s);
  }

  function refresh() {
    return fetch('/__emulator/state')
      .then(function (r) {
        return r.text();
      })
      .then(function (text) {
        document.getElementById('updated').textContent = 'updated ' + new Date().toLocaleTimeString();
        // Re-render only on change, so a row's buttons stay put while nothing happens.
        if (text === lastText) return;
        lastText = text;
        render(JSON.parse(text));
      })
      .catch(function () {
        document.getElementById('updated').textContent = 'emulator unreachable';
      });
  }

  function options(select, values) {
    select.textContent = '';
    values.forEach(function (v) {
      select.appendChild(el('option', v, { value: v }));
    });
  }

  function setUpForms() {
    var statusSelect = document.getElementById('outcome-status');
    options(statusSelect, choices.refundEnds);
    document.getElementById('refund-outcome-form').addEventListener('submit', function (e) {
      e.preventDefault();
      var body = { status: statusSelect.value, count: Number(document.getElementById('outcome-count').value || 1) };
      var no = document.getElementById('outcome-refund-no').value.trim();
      if (no) body.outRefundNo = no;
      call('POST', '/__emulator/refund-outcome', body);
    });
    document.getElementById('outcome-clear').addEventListener('click', function () {
      call('DELETE', '/__emulator/refund-outcome');
    });
    document.getElementById('invalidate-tokens').addEventListener('click', function () {
      call('POST', '/__emulator/jssdk/invalidate-tokens');
    });

    var target = document.getElementById('fault-target');
    var kind = document.getElementById('fault-kind');
    var delay = document.getElementById('fault-delay');
    var errCode = document.getElementById('fault-errcode');
    var errCodeDes = document.getElementById('fault-errcodedes');
    // Only the kinds the target takes, and only the fields the kind uses.
    function fitFields() {
      delay.disabled = kind.value !== 'delay' && kind.value !== 'timeout';
      errCode.disabled = errCodeDes.disabled = kind.value !== 'bizerror';
    }
    function fitKinds() {
      options(kind, choices.faultKinds[target.value]);
      fitFields();
    }
    options(target, Object.keys(choices.faultKinds));
    target.addEventListener('change', fitKinds);
    kind.addEventListener('change', fitFields);
    fitKinds();
    document.getElementById('fault-form').addEventListener('submit', function (e) {
      e.preventDefault();
      var body = {
        target: target.value,
        kind: kind.value,
        count: Number(document.getElementById('fault-count').value || 1),
      };
      if (!delay.disabled && delay.value !== '') body.delayMs = Number(delay.value);
      if (!errCode.disabled) {
        body.errCode = errCode.value.trim();
        if (errCodeDes.value.trim()) body.errCodeDes = errCodeDes.value.trim();
      }
      call('POST', '/__emulator/faults', body, function (f) {
        return 'fault ' + f.id + ' injected';
      });
    });
    document.getElementById('faults-clear').addEventListener('click', function () {
      call('DELETE', '/__emulator/faults');
    });
    document.getElementById('reset').addEventListener('click', function () {
      if (window.confirm('Forget every order, refund, notification, code and token?'))
        call('POST', '/__emulator/reset');
    });
  }

  setUpForms();
  refresh();
  setInterval(refresh, 1000);
})();
