/**
 * Content-Security-Policy and HSTS over real HTTP: the storefront's pages get the page policy,
 * everything else (JSON, assets, 404s) the nothing-loads one; HSTS only in production. The e2e
 * suite proves in Chromium that the built storefront runs under the page policy without a violation.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  NO_CONTENT_POLICY,
  WECHAT_AVATAR_SOURCES,
  imageSources,
  pagePolicy,
} from '../src/http/content-security-policy';
import { PRODUCTION_ENV, PRODUCTION_SECRETS } from './helpers/production-env';
import { fakeStorefrontDist, startStack, useStack, type Stack } from './helpers/stack';

const builtStorefront = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../storefront/dist');

/** "a b c; d e" → { a: ['b', 'c'], d: ['e'] }, refusing a directive given twice (browsers keep only the first). */
function directives(policy: string | null): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const part of (policy ?? '')
    .split(';')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [name, ...values] = part.split(/\s+/);
    if (name! in out) throw new Error(`${name} appears twice in ${policy}`);
    out[name!] = values;
  }
  return out;
}

describe('the page policy', () => {
  const policy = directives(
    pagePolicy({ imgSources: imageSources('https://api.weixin.qq.com', []), upgradeInsecureRequests: false }),
  );

  it("allows code, styles and requests from our own origin only (scripts also WeChat's JS-SDK), nothing inline or eval", () => {
    expect(policy['default-src']).toEqual(["'self'"]);
    expect(policy['script-src']).toEqual(["'self'", 'https://res.wx.qq.com']);
    expect(policy['style-src']).toEqual(["'self'"]);
    expect(policy['connect-src']).toEqual(["'self'"]);
    expect(policy['object-src']).toEqual(["'none'"]);
    expect(policy['base-uri']).toEqual(["'none'"]);
    expect(policy['form-action']).toEqual(["'self'"]);
    expect(policy['frame-ancestors']).toEqual(["'none'"]);
    expect(
      Object.values(policy)
        .flat()
        .filter((v) => /unsafe|\*|^https?:$/.test(v)),
    ).toEqual([]);
    expect(policy['upgrade-insecure-requests']).toBeUndefined();
  });

  it("lets fonts come from our origin and data: only (Vant's icon font is inline), never another host", () => {
    expect(policy['font-src']).toEqual(["'self'", 'data:']);
  });

  it("lets images come from data: (QR code, product tiles, favicon) and WeChat's avatar hosts, not from WeChat's API host", () => {
    expect(policy['img-src']).toEqual(["'self'", 'data:', ...WECHAT_AVATAR_SOURCES]);
  });

  it('adds the stand-in that answers userinfo (the emulator serves its own avatars) and the operator’s image origins, once each', () => {
    const img = directives(
      pagePolicy({
        imgSources: imageSources('http://127.0.0.1:4000/', ['https://cdn.example.com', 'https://cdn.example.com']),
        upgradeInsecureRequests: true,
      }),
    );
    expect(img['img-src']).toEqual([
      "'self'",
      'data:',
      ...WECHAT_AVATAR_SOURCES,
      'http://127.0.0.1:4000',
      'https://cdn.example.com',
    ]);
    expect(img['upgrade-insecure-requests']).toEqual([]);
  });
});

describe('headers over HTTP (test environment)', () => {
  const { stack } = useStack({ name: 'pglite' }, { STOREFRONT_DIST: fakeStorefrontDist() });

  const get = (p: string, accept = 'text/html') => fetch(`${stack.bff.url}${p}`, { headers: { Accept: accept } });

  it('sends the page policy with the storefront page, for / and for client routes', async () => {
    const expected = pagePolicy({ imgSources: imageSources(stack.emuUrl, []), upgradeInsecureRequests: false });
    for (const route of ['/', '/index.html', '/orders/20261126ABC/pay']) {
      const res = await get(route);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(res.headers.get('content-security-policy')).toBe(expected);
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('strict-transport-security')).toBeNull();
    }
    // The emulator answers userinfo here, and serves the avatars it names.
    expect(directives(expected)['img-src']).toContain(new URL(stack.emuUrl).origin);
  });

  it('sends the nothing-loads policy with assets, API JSON, errors and health checks', async () => {
    const answers = [
      await get('/assets/app.js', '*/*'),
      await get('/assets/index-OLDHASH.js', '*/*'),
      await get('/api/products', 'application/json'),
      await get('/api/nope'),
      await fetch(`${stack.bff.url}/api/orders`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: '{',
      }),
      await get('/healthz', '*/*'),
    ];
    expect(answers.map((r) => r.status)).toEqual([200, 404, 200, 404, 400, 200]);
    for (const res of answers) {
      expect(res.headers.get('content-security-policy')).toBe(NO_CONTENT_POLICY);
      expect(res.headers.get('strict-transport-security')).toBeNull();
    }
  });

  it('gives the sign-in failure page a policy of its own that allows exactly its <style> and no script', async () => {
    const res = await stack
      .browser()
      .fetch(`/api/auth/callback?code=abc&state=${'A'.repeat(32)}`, { headers: { Accept: 'text/html' } });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain('登录失败');
    const styles = [...html.matchAll(/<style>([^<]*)<\/style>/g)].map((m) => m[1]!);
    expect(styles).toHaveLength(1);
    expect(html).not.toMatch(/<script|\sstyle=|\son\w+=/i);
    const policy = directives(res.headers.get('content-security-policy'));
    expect(policy['default-src']).toEqual(["'none'"]);
    expect(policy['style-src']).toEqual([`'sha256-${createHash('sha256').update(styles[0]!).digest('base64')}'`]);
    expect(policy['script-src']).toBeUndefined();
    expect(policy['frame-ancestors']).toEqual(["'none'"]);
  });
});

describe('headers over HTTP in production', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack(
      { name: 'pglite' },
      {
        NODE_ENV: 'production',
        PUBLIC_BASE_URL: PRODUCTION_ENV.PUBLIC_BASE_URL,
        ...PRODUCTION_SECRETS,
        WECHAT_API_BASE_URL: '',
        STOREFRONT_DIST: fakeStorefrontDist(),
        CSP_IMG_SOURCES: 'https://img.example.com',
      },
    );
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('sends HSTS with every answer, page, asset or API', async () => {
    for (const p of ['/', '/cart', '/assets/app.js', '/api/products', '/api/nope', '/healthz']) {
      const res = await fetch(`${stack.bff.url}${p}`);
      expect(res.headers.get('strict-transport-security'), p).toBe('max-age=31536000');
    }
  });

  it("upgrades stray http:// subresources and adds the operator's image origin, but no API host", async () => {
    const policy = directives(
      (await fetch(`${stack.bff.url}/cart`, { headers: { Accept: 'text/html' } })).headers.get(
        'content-security-policy',
      ),
    );
    expect(policy['upgrade-insecure-requests']).toEqual([]);
    expect(policy['img-src']).toEqual(["'self'", 'data:', ...WECHAT_AVATAR_SOURCES, 'https://img.example.com']);
    expect(policy['script-src']).toEqual(["'self'", 'https://res.wx.qq.com']);
  });
});

// Runs where the storefront has been built (npm test builds it before these tests; the e2e suite proves the rest in Chromium).
describe.skipIf(!existsSync(path.join(builtStorefront, 'index.html')))(
  'the built storefront under the page policy',
  () => {
    it('has no inline script, style or event handler and loads its code from /assets/ on our origin', () => {
      const html = readFileSync(path.join(builtStorefront, 'index.html'), 'utf8');
      const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)];
      expect(scripts.length).toBeGreaterThan(0);
      for (const [, attrs, body] of scripts) {
        expect(body!.trim()).toBe('');
        expect(attrs).toMatch(/\ssrc="\/assets\/[^"]+\.js"/);
      }
      expect(html).not.toMatch(/<style|\sstyle=|\son\w+=/i);
      for (const [, href] of html.matchAll(/<link\b[^>]*\shref="([^"]*)"/gi))
        expect(href).toMatch(/^(\/assets\/|data:)/);
    });

    // script-src has no 'unsafe-eval'. zod's one guarded probe (`const e = Function; new e('')` in a try) is not
    // matched here: the storefront turns it off (src/zod-jitless.ts), and the e2e suite fails on any eval report.
    it('calls no eval( or new Function( of its own', () => {
      const assets = path.join(builtStorefront, 'assets');
      for (const file of readdirSync(assets).filter((f) => f.endsWith('.js'))) {
        expect(readFileSync(path.join(assets, file), 'utf8'), file).not.toMatch(/\beval\(|new Function\(/);
      }
    });
  },
);
