/**
 * Who may change the emulator's state from a browser. The emulator listens on loopback, but any
 * page a developer opens can still send requests to it; its own endpoints (control API, pay sheet,
 * scan page, consent form) therefore refuse cross-site writes. WeChat's own APIs are not guarded:
 * they are server-to-server.
 */
import { isIP } from 'node:net';
import type { Context } from 'koa';

export type SiteVerdict = { ok: true; corsOrigin?: string } | { ok: false; reason: string };

/**
 * Pure decision from the browser-set headers. A browser sends `Origin` on every cross-origin
 * request and on every POST; `Sec-Fetch-Site` cannot be forged by a page. Node, curl and other
 * non-browser clients send neither, and are allowed: they are not a web page's doing.
 * `allowed` origins (the shop page running /bridge.js) also get a CORS allowance.
 */
export function judgeSite(
  origin: string | undefined,
  fetchSite: string | undefined,
  selfOrigin: string,
  allowed: ReadonlySet<string>,
): SiteVerdict {
  // A same-origin form may still say `Origin: null` (e.g. under Referrer-Policy: no-referrer).
  if (fetchSite === 'same-origin') return { ok: true };
  if (origin !== undefined) {
    if (origin === selfOrigin) return { ok: true };
    if (allowed.has(origin)) return { ok: true, corsOrigin: origin };
    return { ok: false, reason: `origin ${origin} is not allowed` };
  }
  if (fetchSite === undefined || fetchSite === 'none') return { ok: true };
  return { ok: false, reason: `${fetchSite} request is not allowed` };
}

/**
 * Whether `hostname` (the Host a request was addressed to) is a name of this emulator: an IP
 * address, localhost, or the public URL's host. Any other name reaching a loopback emulator is DNS
 * rebinding: a site's own name made to resolve to 127.0.0.1, whose pages the browser then treats
 * as same-origin with it (Origin and Host both the site's name, Sec-Fetch-Site same-origin).
 */
export function isOwnHostname(hostname: string, publicUrl: string): boolean {
  const name = bareHostname(hostname);
  if (isIP(name) !== 0 || name === 'localhost' || name.endsWith('.localhost')) return true;
  return name === bareHostname(new URL(publicUrl).hostname);
}

/** Lower case, IPv6 brackets and a final root dot removed, so one name is written one way. */
const bareHostname = (hostname: string) =>
  hostname
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '');

/** A browser's request (it sent Origin or Sec-Fetch-Site) addressed to a name that is not ours: see isOwnHostname. */
export function rebindingProblem(ctx: Context, publicUrl: string): string | null {
  const fromBrowser = !!(ctx.get('Origin') || ctx.get('Sec-Fetch-Site'));
  if (!fromBrowser || isOwnHostname(ctx.hostname, publicUrl)) return null;
  return `host ${ctx.hostname} is not a name of this emulator (a browser reaching it by another name sets EMULATOR_PUBLIC_URL to that URL)`;
}

export function siteOf(ctx: Context, allowed: ReadonlySet<string>, publicUrl: string): SiteVerdict {
  const rebinding = rebindingProblem(ctx, publicUrl);
  if (rebinding) return { ok: false, reason: rebinding };
  // The origin this request was addressed to (Koa 3's ctx.origin is the Origin header instead).
  const selfOrigin = `${ctx.protocol}://${ctx.host}`;
  return judgeSite(ctx.get('Origin') || undefined, ctx.get('Sec-Fetch-Site') || undefined, selfOrigin, allowed);
}

export function isSafeMethod(method: string): boolean {
  return method === 'GET' || method === 'HEAD' || method === 'OPTIONS';
}

/**
 * Whether a body, if any, is declared `application/json`. A page can send JSON to another origin
 * only after a CORS preflight; forms and `text/plain` (or a typeless Blob) need none.
 */
export function jsonOrNoBody(ctx: Context): boolean {
  const type = ctx.get('Content-Type');
  if (type) return type.split(';')[0]!.trim().toLowerCase() === 'application/json';
  return !ctx.get('Transfer-Encoding') && !(Number(ctx.get('Content-Length')) > 0);
}

/** Normalises `http(s)://host[:port]` (a trailing slash is fine); throws on anything else. */
export function parseOrigin(value: string): string {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new Error(`allowed origin ${JSON.stringify(value)} is not a URL`);
  }
  if (
    (url.protocol !== 'http:' && url.protocol !== 'https:') ||
    url.pathname !== '/' ||
    url.search ||
    url.hash ||
    url.username
  ) {
    throw new Error(`allowed origin ${JSON.stringify(value)} must be scheme://host[:port] (http or https)`);
  }
  return url.origin;
}
