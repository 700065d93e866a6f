/** The built operator console under /admin: its pages, client routes, a 404 for a missing file, its own CSP. */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config';
import { backends } from './helpers/backends';
import { PRODUCTION_ENV } from './helpers/production-env';
import { fakeStorefrontDist, useStack } from './helpers/stack';

function fakeAdminDist(): string {
  const dist = mkdtempSync(path.join(tmpdir(), 'admin-dist-'));
  mkdirSync(path.join(dist, 'assets'));
  writeFileSync(path.join(dist, 'index.html'), '<!doctype html><title>运营后台</title><div id="app"></div>');
  writeFileSync(path.join(dist, 'assets', 'console.js'), 'console.log("console")');
  return dist;
}

describe.each(backends.slice(0, 1))('operator console serving ($name)', (backend) => {
  const devOperator = 'dev:dev-operator-password';
  const { stack } = useStack(backend, {
    ADMIN_DIST: fakeAdminDist(),
    STOREFRONT_DIST: fakeStorefrontDist(),
    DEV_OPERATOR: devOperator,
  });

  it("creates npm start's dev operator (an admin), and production refuses DEV_OPERATOR", async () => {
    const res = await stack.browser().post('/api/operator/sign-in', { name: 'dev', password: 'dev-operator-password' });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ role: 'admin' });
    expect(() => loadConfig({ ...PRODUCTION_ENV, DEV_OPERATOR: devOperator })).toThrow(ConfigError);
  });

  it('serves the console and its client routes under /admin, allowing its inline styles only there', async () => {
    for (const page of ['/admin/', '/admin/orders/T1']) {
      const res = await fetch(`${stack.bff.url}${page}`, { headers: { Accept: 'text/html' } });
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('运营后台');
      expect(res.headers.get('content-security-policy')).toContain("style-src 'self' 'unsafe-inline'");
      const scriptSrc = /script-src [^;]*/.exec(res.headers.get('content-security-policy') ?? '')?.[0];
      expect(scriptSrc).toMatch(/^script-src 'self'/);
      expect(scriptSrc).not.toContain('unsafe');
    }
    const asset = await fetch(`${stack.bff.url}/admin/assets/console.js`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toContain('immutable');
    expect((await fetch(`${stack.bff.url}/admin/assets/gone.js`)).status).toBe(404);
    expect((await fetch(`${stack.bff.url}/admin`, { redirect: 'manual' })).headers.get('location')).toBe('/admin/');
    const shop = await fetch(`${stack.bff.url}/`, { headers: { Accept: 'text/html' } });
    expect(await shop.text()).toContain('微信小店');
    expect(shop.headers.get('content-security-policy')).not.toContain('unsafe-inline');
  });
});
