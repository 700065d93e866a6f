/**
 * In-page helpers the emulator's stand-in scripts (/bridge.js, /jweixin.js) share, as source text for their IIFEs:
 * `post` (JSON to the emulator at BASE), `whenBody` (run once the DOM exists) and `el` (build a node whose text goes
 * in via textContent only). Each script defines `BASE` before including them.
 */
export const PAGE_SCRIPT_HELPERS = `
  function post(path, body) {
    // JSON, so the emulator can tell it from a form any page could post (JSON needs a CORS preflight).
    return fetch(BASE + path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body || {}) })
      .then(function (r) { return r.json(); });
  }

  function whenBody(fn) {
    if (document.body) return fn();
    document.addEventListener('DOMContentLoaded', function () { fn(); }, { once: true });
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }
`;
