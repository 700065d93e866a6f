/** A tiny cookie-jar HTTP client that follows nothing automatically, like a careful browser test. */
export const WECHAT_UA =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.50 NetType/WIFI Language/zh_CN';

export class Browser {
  readonly cookies = new Map<string, string>();

  constructor(
    readonly origin: string,
    readonly userAgent = WECHAT_UA,
  ) {}

  async fetch(pathOrUrl: string, init: RequestInit & { json?: unknown } = {}): Promise<Response> {
    const url = new URL(pathOrUrl, this.origin);
    const headers = new Headers(init.headers);
    headers.set('User-Agent', this.userAgent);
    const sameOrigin = url.origin === this.origin;
    if (sameOrigin && this.cookies.size > 0) {
      headers.set('Cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    }
    let body = init.body;
    if (init.json !== undefined) {
      headers.set('Content-Type', 'application/json');
      body = JSON.stringify(init.json);
    }
    const res = await fetch(url, { ...init, body, headers, redirect: 'manual' });
    if (sameOrigin) {
      for (const line of res.headers.getSetCookie()) {
        const [pair] = line.split(';');
        const eq = pair!.indexOf('=');
        const name = pair!.slice(0, eq).trim();
        const value = pair!.slice(eq + 1).trim();
        if (value === '' || /expires=Thu, 01 Jan 1970/i.test(line)) this.cookies.delete(name);
        else this.cookies.set(name, value);
      }
    }
    return res;
  }

  get(path: string): Promise<Response> {
    return this.fetch(path);
  }

  post(path: string, json?: unknown, headers?: Record<string, string>): Promise<Response> {
    return this.fetch(path, {
      method: 'POST',
      ...(json === undefined ? {} : { json }),
      ...(headers ? { headers } : {}),
    });
  }
}

/** Location header without WeChat's #wechat_redirect fragment. */
export function location(res: Response): string {
  const loc = res.headers.get('location');
  if (!loc) throw new Error(`expected a redirect, got ${res.status}`);
  return loc.split('#')[0]!;
}
