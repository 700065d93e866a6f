/** Server-rendered HTML helpers. Every interpolated value goes through `escapeHtml`. */

export function escapeHtml(value: unknown): string {
  return String(value)
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

/** Tagged template that escapes interpolations unless they are already `RawHtml` (e.g. a nested html`…`). */
export class RawHtml {
  constructor(readonly html: string) {}
}

export function html(strings: TemplateStringsArray, ...values: unknown[]): RawHtml {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    const part = Array.isArray(value)
      ? value.map((v) => (v instanceof RawHtml ? v.html : escapeHtml(v))).join('')
      : value instanceof RawHtml
        ? value.html
        : escapeHtml(value);
    out += part + (strings[i + 1] ?? '');
  });
  return new RawHtml(out);
}

/** Mobile page in WeChat's look (system font, grey background, green primary). */
export function mobilePage(title: string, body: RawHtml, extraCss = ''): string {
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1,maximum-scale=1,user-scalable=no">
<title>${escapeHtml(title)}</title>
<style>
*{box-sizing:border-box}body{margin:0;font-family:-apple-system,BlinkMacSystemFont,"PingFang SC","Helvetica Neue","Microsoft YaHei",sans-serif;background:#ededed;color:#191919;font-size:16px}
.wx-bar{height:44px;line-height:44px;text-align:center;background:#ededed;font-weight:500;border-bottom:1px solid #d9d9d9}
.wx-main{max-width:480px;margin:0 auto;padding:24px 16px}
.wx-btn{display:block;width:100%;height:48px;border:0;border-radius:8px;font-size:17px;font-weight:500;margin-top:12px;cursor:pointer}
.wx-btn-primary{background:#07c160;color:#fff}.wx-btn-default{background:#f2f2f2;color:#06ae56}
.wx-muted{color:#888;font-size:14px}.wx-error{text-align:center;padding-top:48px}
.wx-error h1{font-size:20px;font-weight:500}
${extraCss}
</style></head><body>
<div class="wx-bar">${escapeHtml(title)}</div>
<main class="wx-main">${body.html}</main>
</body></html>`;
}

/** WeChat's authorize error page ("Oops! Something went wrong:(" + code). */
export function errorPage(code: number | string, message: string): string {
  return mobilePage(
    '微信网页授权',
    html`<div class="wx-error" data-errcode="${code}">
      <h1>Oops! Something went wrong:(</h1>
      <p>错误码：<strong id="wx-errcode">${code}</strong></p>
      <p class="wx-muted">${message}</p>
    </div>`,
  );
}
