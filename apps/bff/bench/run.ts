/**
 * Throughput and latency of order creation, pay params (unifiedorder against the emulator) and
 * notification handling, beside a bare-Koa baseline measured in the same run. Emulator + BFF in-process, PGlite in memory.
 *
 *   pnpm --filter @wxpay-shop/bff bench        (BENCH_SECONDS=5 BENCH_CONCURRENCY=32)
 *   BENCH_DATABASE_URL=postgres://… runs the same against PostgreSQL (in a throw-away schema).
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import pg from 'pg';
import { createEmulator, DEFAULT_MERCHANT } from '@wxpay-shop/wechat-emulator';
import { buildXml, randomString, sign } from '@wxpay-shop/wechat';
import { startBff } from '../src/app';
import { loadConfig } from '../src/config';
import { openDatabase } from '../src/db/connect';
import { createLogger } from '../src/logger';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);

interface Result {
  name: string;
  requests: number;
  errors: number;
  rps: number;
  p50: number;
  p99: number;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** N closed-loop clients for a fixed duration; `send` returns whether the response was correct. */
async function measure(name: string, send: (client: number) => Promise<boolean>): Promise<Result> {
  const latencies: number[] = [];
  let errors = 0;
  const started = performance.now();
  const deadline = started + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async (_, client) => {
      while (performance.now() < deadline) {
        const t0 = performance.now();
        let ok = false;
        try {
          ok = await send(client);
        } catch {
          ok = false;
        }
        latencies.push(performance.now() - t0);
        if (!ok) errors += 1;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return { name, requests: latencies.length, errors, rps: latencies.length / elapsed, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

/** The cookies a response sets, as a Cookie header (name=value pairs), or undefined if none. */
function sessionCookie(res: Response): string | undefined {
  const set = res.headers.getSetCookie().map((c) => c.split(';')[0]);
  return set.length > 0 ? set.join('; ') : undefined;
}

async function main(): Promise<void> {
  const emu = createEmulator({ host: '127.0.0.1', port: 0, httpsPort: 0, notifyTimeScale: 0.001 });
  const { httpUrl } = await emu.start();
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    SESSION_KEYS: 'bench-session-key-0123456789',
    ADMIN_TOKEN: 'bench-admin-token-0123456789',
    WECHAT_APP_ID: DEFAULT_MERCHANT.appId,
    WECHAT_APP_SECRET: DEFAULT_MERCHANT.appSecret,
    WECHAT_MCH_ID: DEFAULT_MERCHANT.mchId,
    WECHAT_PAY_API_KEY: DEFAULT_MERCHANT.apiKey,
    WECHAT_OPEN_BASE_URL: httpUrl,
    WECHAT_API_BASE_URL: httpUrl,
    WECHAT_PAY_BASE_URL: httpUrl,
    DATABASE_URL: process.env.BENCH_DATABASE_URL || 'memory://',
    RECONCILE_INTERVAL_MS: '0',
    // Every client is on 127.0.0.1 and keeps ordering without paying: the per-IP rate limit and the
    // per-shopper cap on unpaid orders would turn the order scenario into a measure of 429s.
    ORDER_RATE_LIMIT: '0',
    MAX_PENDING_ORDERS: '0',
    LOG_LEVEL: 'silent',
  });
  const schema = `bff_bench_${randomString(8).toLowerCase()}`;
  const database = await openDatabase(config.database, config.database.kind === 'postgres' ? { schema, poolSize: CONCURRENCY } : {});
  const bff = await startBff(config, { database, logger: createLogger('silent') });
  // Orders reserve stock, and this run creates thousands: without ample stock the order
  // scenario would measure 409s once the seeded quantities ran out.
  await database.db.updateTable('products').set({ stock: 100_000_000 }).where('id', 'in', ['green-tea', 'mug']).execute();

  const bare = new Koa();
  bare.use((ctx) => {
    ctx.body = { ok: true };
  });
  const bareServer = bare.listen(0, '127.0.0.1');
  await once(bareServer, 'listening');
  const bareUrl = `http://127.0.0.1:${(bareServer.address() as AddressInfo).port}`;

  const results: Result[] = [];
  results.push(await measure('bare Koa GET (baseline)', async () => (await (await fetch(bareUrl)).text()).length > 0));
  results.push(
    await measure('GET /api/products', async () => {
      const res = await fetch(`${bff.url}/api/products`);
      await res.arrayBuffer();
      return res.status === 200;
    }),
  );

  // One session per client, as real shoppers would have.
  const cookies = await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      const res = await fetch(`${bff.url}/api/me`);
      await res.arrayBuffer();
      return sessionCookie(res) ?? '';
    }),
  );
  const created: { outTradeNo: string; totalFen: number; client: number }[] = [];
  results.push(
    await measure('POST /api/orders', async (client) => {
      const res = await fetch(`${bff.url}/api/orders`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Cookie: cookies[client]! },
        body: JSON.stringify({ items: [{ productId: 'green-tea', quantity: 1 }, { productId: 'mug', quantity: 2 }] }),
      });
      const body = (await res.json()) as { outTradeNo: string; totalFen: number };
      // The first order gives a guest its session (owner id); the client keeps it like a browser.
      const session = sessionCookie(res);
      if (session) cookies[client] = session;
      if (res.status !== 201) return false;
      created.push({ ...body, client });
      return true;
    }),
  );

  // Pay params for the orders just created: each first call is a unifiedorder round trip to the
  // emulator (NATIVE, so no WeChat sign-in is needed); past the created orders it is the cached prepay.
  let payNext = 0;
  let firstPays = 0;
  results.push(
    await measure('POST /api/orders/:no/pay (unifiedorder)', async () => {
      const i = payNext++;
      if (i < created.length) firstPays += 1;
      const order = created[i % created.length]!;
      // Only the order's owner may pay it: the session that created it.
      const res = await fetch(`${bff.url}/api/orders/${order.outTradeNo}/pay`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Cookie: cookies[order.client]! },
        body: JSON.stringify({ tradeType: 'NATIVE' }),
      });
      const body = (await res.json()) as { codeUrl?: string };
      return res.status === 200 && typeof body.codeUrl === 'string';
    }),
  );

  // Signed notifications for the orders just created: each is a first delivery (PENDING → PAID).
  const notifications = created.map((o, i) => {
    const fields: Record<string, string> = {
      return_code: 'SUCCESS',
      appid: DEFAULT_MERCHANT.appId,
      mch_id: DEFAULT_MERCHANT.mchId,
      nonce_str: randomString(32),
      result_code: 'SUCCESS',
      openid: 'oBench000000000000000000000000',
      trade_type: 'NATIVE',
      bank_type: 'CFT',
      total_fee: String(o.totalFen),
      cash_fee: String(o.totalFen),
      fee_type: 'CNY',
      transaction_id: `4200${String(i).padStart(24, '0')}`,
      out_trade_no: o.outTradeNo,
      time_end: '20261126120000',
    };
    return buildXml({ ...fields, sign: sign(fields, DEFAULT_MERCHANT.apiKey, 'MD5') });
  });
  let next = 0;
  let fresh = 0;
  const notifyOnce = async (xml: string) => {
    const res = await fetch(`${bff.url}/api/wechat/pay/notify`, { method: 'POST', headers: { 'Content-Type': 'text/xml' }, body: xml });
    return res.status === 200 && (await res.text()).includes('SUCCESS');
  };
  results.push(
    await measure('POST notify (first delivery)', async () => {
      // Past the created orders, the same notifications come again: duplicates.
      const i = next++;
      if (i < notifications.length) fresh += 1;
      return notifyOnce(notifications[i % notifications.length]!);
    }),
  );
  // Only orders already notified, so this scenario measures duplicates and nothing else.
  next = Math.min(next, notifications.length);
  const delivered = next;
  results.push(await measure('POST notify (duplicate)', async () => notifyOnce(notifications[next++ % delivered]!)));

  const baseline = results[0]!.rps;
  const rows = results.map((r) => [
    r.name,
    String(r.requests),
    r.rps.toFixed(0),
    `${((r.rps / baseline) * 100).toFixed(1)}%`,
    r.p50.toFixed(2),
    r.p99.toFixed(2),
    String(r.errors),
  ]);
  const header = ['scenario', 'requests', 'req/s', 'vs bare', 'p50 ms', 'p99 ms', 'errors'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  const storage = config.database.kind === 'postgres' ? 'PostgreSQL' : 'PGlite in memory';
  console.log(`\nBFF bench — ${CONCURRENCY} concurrent loopback clients, ${SECONDS} s per scenario, ${storage}, Node ${process.version}`);
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) console.log(line(row));
  const paid = await database.db.selectFrom('orders').select((eb) => eb.fn.countAll<number>().as('n')).where('status', '=', 'PAID').executeTakeFirstOrThrow();
  console.log(`\norders created: ${created.length}; first pays (unifiedorder): ${Math.min(firstPays, created.length)}; first-delivery notifies: ${Math.min(fresh, notifications.length)}; orders PAID: ${Number(paid.n)}`);

  await new Promise<void>((resolve) => bareServer.close(() => resolve()));
  await bff.close();
  await database.close();
  if (config.database.kind === 'postgres') await dropSchema(config.database.url, schema);
  await emu.stop();
}

async function dropSchema(url: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await client.end();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
