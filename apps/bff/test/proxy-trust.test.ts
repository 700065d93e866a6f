/**
 * X-Forwarded-For is client-controlled unless a proxy we run appended it: the IP sent to WeChat
 * as spbill_create_ip must come from the socket unless TRUST_PROXY declares the hops.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app';
import { loadConfig } from '../src/config';
import { openDatabase } from '../src/db/connect';
import { createLogger } from '../src/logger';
import { PRODUCTION_ENV } from './helpers/production-env';
import { createOrder, MERCHANT, useStack, type Stack } from './helpers/stack';

async function spbillCreateIpOf(stack: Stack, forwardedFor: string | null): Promise<string> {
  const browser = stack.browser();
  const order = await createOrder(browser);
  const headers: Record<string, string> = forwardedFor === null ? {} : { 'X-Forwarded-For': forwardedFor };
  const res = await browser.post(`/api/orders/${order.outTradeNo}/pay`, { tradeType: 'NATIVE' }, headers);
  expect(res.status).toBe(200);
  return stack.emu.state.findOrder(MERCHANT.mchId, order.outTradeNo)!.spbillCreateIp;
}

describe('without TRUST_PROXY (the default)', () => {
  const { stack } = useStack({ name: 'pglite' });

  it('ignores X-Forwarded-For and sends the socket address, as plain IPv4', async () => {
    expect(await spbillCreateIpOf(stack, null)).toBe('127.0.0.1');
    expect(await spbillCreateIpOf(stack, '6.6.6.6')).toBe('127.0.0.1');
    expect(await spbillCreateIpOf(stack, 'not-an-ip')).toBe('127.0.0.1');
  });
});

describe('TRUST_PROXY=2 (two proxies of ours in front)', () => {
  const { stack } = useStack({ name: 'pglite' }, { TRUST_PROXY: '2' });

  it('takes the address the outer proxy saw, never an entry the client wrote before it', async () => {
    // client-written, added by the outer proxy (the shopper), added by the inner one (the outer proxy).
    expect(await spbillCreateIpOf(stack, '6.6.6.6, 203.0.113.7, 10.0.0.2')).toBe('203.0.113.7');
    expect(await spbillCreateIpOf(stack, '::ffff:198.51.100.4, 10.0.0.2')).toBe('198.51.100.4');
    expect(await spbillCreateIpOf(stack, '2001:db8::7, 10.0.0.2')).toBe('2001:db8::7');
  });

  it('falls back to the socket address when the trusted entry is not an IP, instead of failing the payment', async () => {
    expect(await spbillCreateIpOf(stack, 'unknown, 10.0.0.2')).toBe('127.0.0.1');
  });
});

describe('production', () => {
  const productionEnv = {
    ...PRODUCTION_ENV,
    DATABASE_URL: 'memory://',
    RECONCILE_INTERVAL_MS: '0',
  };

  // One database for both apps: opening PGlite is the slow part, and the setting under test is Koa's.
  let database: Awaited<ReturnType<typeof openDatabase>>;
  beforeAll(async () => {
    database = await openDatabase({ kind: 'pglite', dataDir: null });
  });
  afterAll(async () => {
    await database?.close();
  });

  async function koaOf(env: Record<string, string>) {
    const bff = await createApp(loadConfig(env), { database, logger: createLogger('silent') });
    const { proxy, maxIpsCount } = bff.app;
    await bff.close();
    return { proxy, maxIpsCount };
  }

  it('does not trust X-Forwarded-For just because NODE_ENV=production', async () => {
    expect((await koaOf(productionEnv)).proxy).toBe(false);
    expect(await koaOf({ ...productionEnv, TRUST_PROXY: '1' })).toEqual({ proxy: true, maxIpsCount: 1 });
  });
});
