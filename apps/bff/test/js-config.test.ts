/**
 * GET /api/wechat/js-config: two BFF instances on one database share one access_token and one jsapi_ticket
 * (one fetch each at the emulator for 50 concurrent requests), an invalidated token is force-refreshed
 * exactly once, and only the shop's own pages are signed.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ApiErrorSchema, JsConfigSchema, routes, type JsConfig } from '@wxpay-shop/contract';
import { verifyJssdkSignature } from '@wxpay-shop/wechat';
import { startBff, type RunningBff } from '../src/app';
import { openDatabase, type DatabaseHandle } from '../src/db/connect';
import { createLogger } from '../src/logger';
import { backends, type Backend } from './helpers/backends';
import { MERCHANT, useStack, type Stack } from './helpers/stack';

const SHOP = 'https://shop.example';

/** A second BFF on the first one's database: the same PGlite handle, or a second pool on the same PostgreSQL schema. */
async function secondInstance(stack: Stack, backend: Backend): Promise<{ bff: RunningBff; close(): Promise<void> }> {
  let database: DatabaseHandle = stack.database;
  if (backend.name === 'postgres') {
    const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(stack.database.db);
    database = await openDatabase(
      { kind: 'postgres', url: process.env.TEST_DATABASE_URL!.trim() },
      { schema: rows[0]!.schema, poolSize: 20 },
    );
  }
  const bff = await startBff(stack.bff.services.config, { database, logger: createLogger('silent') });
  return {
    bff,
    async close() {
      await bff.close();
      if (database !== stack.database) await database.close();
    },
  };
}

type Calls = Record<'stable_token' | 'stable_token_force' | 'token' | 'getticket', { calls: number; errors: number }>;

describe.each(backends)('js-config on two BFF instances ($name)', (backend) => {
  const { stack } = useStack(backend, { PUBLIC_BASE_URL: SHOP });
  let other: Awaited<ReturnType<typeof secondInstance>>;
  const instances = () => [stack.bff.url, other.bff.url];

  // After useStack's beforeAll (hooks run in order), and closed before the stack (after-hooks run in reverse).
  beforeAll(async () => {
    other = await secondInstance(stack, backend);
  });
  afterAll(async () => {
    await other?.close();
  });
  beforeEach(async () => {
    await stack.control('reset', {});
    await stack.database.db.deleteFrom('wechat_credentials').execute();
  });

  const calls = async () => ((await (await stack.control('state')).json()) as { jssdk: { calls: Calls } }).jssdk.calls;
  const jsConfig = (base: string, pageUrl: string) => fetch(`${base}${routes.jsConfig(pageUrl)}`);
  /** `n` requests spread over both instances, all at once. */
  const concurrently = (n: number, pageUrl: string) =>
    Promise.all(Array.from({ length: n }, (_, i) => jsConfig(instances()[i % 2]!, pageUrl)));
  const expireTicket = () =>
    stack.database.db
      .updateTable('wechat_credentials')
      .set({ refresh_at: sql<Date>`now() - interval '1 second'`, expires_at: sql<Date>`now() - interval '1 second'` })
      .where('name', '=', 'jsapi_ticket')
      .execute();
  const ticketsAtEmulator = async () =>
    new Set(
      ((await (await stack.control('state')).json()) as { jssdk: { tickets: { ticket: string }[] } }).jssdk.tickets.map(
        (t) => t.ticket,
      ),
    );
  const signedWithIssuedTicket = async (config: JsConfig, url: string) => {
    for (const ticket of await ticketsAtEmulator()) {
      if (
        verifyJssdkSignature({
          jsapiTicket: ticket,
          nonceStr: config.nonceStr,
          timestampSeconds: config.timestamp,
          url,
          signature: config.signature,
        })
      )
        return true;
    }
    return false;
  };

  it('50 concurrent requests over both instances → one token fetch and one ticket fetch at WeChat', async () => {
    const page = `${SHOP}/products/green-tea?from=timeline`;
    const answers = await concurrently(50, `${page}#reviews`);
    expect(answers.map((r) => r.status)).toEqual(Array(50).fill(200));
    const configs = await Promise.all(answers.map(async (r) => JsConfigSchema.parse(await r.json())));
    expect(await calls()).toMatchObject({
      stable_token: { calls: 1 },
      stable_token_force: { calls: 0 },
      token: { calls: 0 },
      getticket: { calls: 1 },
    });
    expect(configs.every((c) => c.appId === MERCHANT.appId)).toBe(true);
    // Signed over the page URL without its fragment, with the ticket the emulator issued.
    expect(await signedWithIssuedTicket(configs[0]!, page)).toBe(true);
    expect(await signedWithIssuedTicket(configs[0]!, `${SHOP}/products/green-tea`)).toBe(false);
    expect(new Set(configs.map((c) => c.nonceStr)).size).toBe(50);
    expect(answers[0]!.headers.get('cache-control')).toBe('no-store');
    // Cached: later requests fetch nothing.
    await concurrently(10, `${SHOP}/`);
    expect((await calls()).getticket.calls).toBe(1);
  });

  it('an invalidated token → exactly one force refresh and one getticket retry, shared by both instances', async () => {
    expect((await concurrently(2, `${SHOP}/`)).map((r) => r.status)).toEqual([200, 200]);
    expect(await (await stack.control('jssdk/invalidate-tokens', {})).json()).toMatchObject({ invalidated: 1 });
    await expireTicket();
    const answers = await concurrently(20, `${SHOP}/cart`);
    expect(answers.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect(await calls()).toMatchObject({
      stable_token: { calls: 1 },
      stable_token_force: { calls: 1, errors: 0 },
      getticket: { calls: 3, errors: 1 },
    });
    const config = JsConfigSchema.parse(await answers[0]!.json());
    expect(await signedWithIssuedTicket(config, `${SHOP}/cart`)).toBe(true);
    const row = await stack.database.db
      .selectFrom('wechat_credentials')
      .select('forced_at')
      .where('name', '=', 'access_token')
      .executeTakeFirstOrThrow();
    expect(row.forced_at).not.toBeNull();
  });

  it('rejected again within 30 s of a force refresh → 502, and no second force refresh', async () => {
    await concurrently(1, `${SHOP}/`);
    for (let round = 0; round < 2; round++) {
      await stack.control('jssdk/invalidate-tokens', {});
      await expireTicket();
      const answers = await concurrently(4, `${SHOP}/`);
      const expected = round === 0 ? 200 : 502;
      expect(answers.map((r) => r.status)).toEqual(Array(4).fill(expected));
    }
    const last = ApiErrorSchema.parse(await (await jsConfig(stack.bff.url, `${SHOP}/`)).json());
    expect(last.error.code).toBe('UPSTREAM_ERROR');
    expect((await calls()).stable_token_force.calls).toBe(1);
  });

  it('a failed refresh falls back on the stored ticket while it has not expired', async () => {
    await concurrently(1, `${SHOP}/`);
    // Due for refresh but not expired; the token is rejected and was force-refreshed a moment ago.
    await stack.database.db
      .updateTable('wechat_credentials')
      .set({ refresh_at: sql<Date>`now() - interval '1 second'` })
      .where('name', '=', 'jsapi_ticket')
      .execute();
    await stack.database.db
      .updateTable('wechat_credentials')
      .set({ forced_at: sql<Date>`now()` })
      .where('name', '=', 'access_token')
      .execute();
    await stack.control('jssdk/invalidate-tokens', {});
    const res = await jsConfig(stack.bff.url, `${SHOP}/`);
    expect(res.status).toBe(200);
    expect(await signedWithIssuedTicket(JsConfigSchema.parse(await res.json()), `${SHOP}/`)).toBe(true);
    expect(await calls()).toMatchObject({ stable_token_force: { calls: 0 }, getticket: { calls: 2, errors: 1 } });
  });

  it.each([
    ['another origin', 'https://evil.example/products/green-tea'],
    ['a look-alike host', 'https://shop.example.evil.example/'],
    ['user info before another host', 'https://shop.example@evil.example/'],
    ['another scheme', 'http://shop.example/'],
    ['another port', 'https://shop.example:8443/'],
    ['a relative URL', '/products/green-tea'],
    ['javascript:', 'javascript:alert(1)'],
    ['a space', 'https://shop.example/a b'],
    ['an overlong URL', `${SHOP}/?q=${'x'.repeat(2100)}`],
  ])('%s → 400, and nothing fetched from WeChat', async (_name, pageUrl) => {
    const res = await jsConfig(stack.bff.url, pageUrl);
    expect(res.status).toBe(400);
    expect(ApiErrorSchema.parse(await res.json()).error.code).toBe('BAD_REQUEST');
    expect((await calls()).getticket.calls).toBe(0);
  });

  it('no url → 400', async () => {
    expect((await fetch(`${stack.bff.url}/api/wechat/js-config`)).status).toBe(400);
  });
});
