/**
 * The bench's server process: the BFF on WeChat Pay API v2 and another on v3 (each with its own
 * database), a bare-Koa baseline and a peer integration (Koa + the
 * `tenpay` package's notify middleware + one UPDATE), all in this one process so that its CPU time,
 * read before and after each scenario, is what the server spent. The load comes from another process.
 * Prints one JSON line with the URLs, then serves until stdin closes.
 */
import { X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Koa from 'koa';
import getRawBody from 'raw-body';
import { sql } from 'kysely';
import tenpay from 'tenpay';
import { DEFAULT_MERCHANT, WECHATPAY_PUBLIC_KEY_ID } from '@wxpay-shop/wechat-emulator';
import { randomString } from '@wxpay-shop/wechat';
import { startBff } from '../src/app';
import { loadConfig } from '../src/config';
import { openDatabase } from '../src/db/connect';
import { createLogger } from '../src/logger';
import { countStatements } from './statement-counter';

const emulatorUrl = process.env.BENCH_EMULATOR_URL!;
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 32);
const statements = countStatements();

async function listen(server: Server): Promise<string> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const certs = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../wechat-emulator/certs');
const env = {
  NODE_ENV: 'test',
  PORT: '0',
  SESSION_KEYS: 'bench-session-key-0123456789',
  ADMIN_TOKEN: 'bench-admin-token-0123456789',
  WECHAT_APP_ID: DEFAULT_MERCHANT.appId,
  WECHAT_APP_SECRET: DEFAULT_MERCHANT.appSecret,
  WECHAT_MCH_ID: DEFAULT_MERCHANT.mchId,
  WECHAT_PAY_API_KEY: DEFAULT_MERCHANT.apiKey,
  WECHAT_OPEN_BASE_URL: emulatorUrl,
  WECHAT_API_BASE_URL: emulatorUrl,
  WECHAT_PAY_BASE_URL: process.env.BENCH_EMULATOR_HTTPS_URL!,
  WECHAT_PAY_CA_CERT: process.env.BENCH_CA_FILE!,
  DATABASE_URL: process.env.BENCH_DATABASE_URL || 'memory://',
  RECONCILE_INTERVAL_MS: '0',
  // All load comes from one IP and one shopper that never pays: the limits would measure 429s.
  ORDER_RATE_LIMIT: '0',
  MAX_PENDING_ORDERS: '0',
  LOG_LEVEL: 'silent',
};
const config = loadConfig(env);
// The same BFF on API v3, as `WECHAT_PAY_API_VERSION=v3 npm start` runs it (emulator in public-key mode).
const configV3 = loadConfig({
  ...env,
  WECHAT_PAY_API_VERSION: 'v3',
  WECHAT_PAY_API_V3_KEY: DEFAULT_MERCHANT.apiV3Key,
  WECHAT_PAY_MERCHANT_SERIAL_NO: new X509Certificate(readFileSync(path.join(certs, 'merchant.pem'))).serialNumber,
  WECHAT_PAY_CLIENT_KEY: path.join(certs, 'merchant-key.pem'),
  WECHAT_PAY_PUBLIC_KEY: path.join(certs, 'wechatpay-public-key.pem'),
  WECHAT_PAY_PUBLIC_KEY_ID: WECHATPAY_PUBLIC_KEY_ID,
});
const schema = `bff_bench_${randomString(8).toLowerCase()}`;
const isPostgres = config.database.kind === 'postgres';
const database = await openDatabase(config.database, isPostgres ? { schema, poolSize: concurrency } : {});
const databaseV3 = await openDatabase(
  config.database,
  isPostgres ? { schema: `${schema}_v3`, poolSize: concurrency } : {},
);
const bff = await startBff(config, { database, logger: createLogger('silent') });
const bffV3 = await startBff(configV3, { database: databaseV3, logger: createLogger('silent') });
// Thousands of bench orders reserve stock; without ample stock the order scenario would measure 409s.
for (const db of [database.db, databaseV3.db]) {
  await db.updateTable('products').set({ stock: 100_000_000 }).where('id', 'in', ['green-tea', 'mug']).execute();
}
// Both BFFs pay through one emulator merchant: v3's order numbers start elsewhere, or WeChat would see each
// v2 number again with other parameters (201 商户订单号重复) and refuse v3's first pays.
await sql`select setval('order_no_seq', 50000000)`.execute(databaseV3.db);
await sql`CREATE TABLE bench_peer_orders (out_trade_no text PRIMARY KEY, status text NOT NULL DEFAULT 'PENDING', transaction_id text)`.execute(
  database.db,
);

const bare = new Koa();
bare.use((ctx) => {
  ctx.body = { ok: true };
});

// The peer: how a typical integration handles the same notification (tenpay verifies, one UPDATE).
const payment = new tenpay({
  appid: DEFAULT_MERCHANT.appId,
  mchid: DEFAULT_MERCHANT.mchId,
  partnerKey: DEFAULT_MERCHANT.apiKey,
});
const peer = new Koa();
peer.use(async (ctx, next) => {
  // tenpay reads the XML text from ctx.request.body, as a text body parser leaves it.
  (ctx.request as unknown as { body: string }).body = await getRawBody(ctx.req, { encoding: 'utf8', limit: '64kb' });
  await next();
});
peer.use(payment.middleware('pay'));
peer.use(async (ctx) => {
  const info = (ctx.request as unknown as { weixin: Record<string, string> }).weixin;
  await sql`UPDATE bench_peer_orders SET status = 'PAID', transaction_id = ${info.transaction_id}
            WHERE out_trade_no = ${info.out_trade_no} AND status = 'PENDING'`.execute(database.db);
  (ctx as unknown as { reply: (msg?: string) => void }).reply();
});

const control = new Koa();
control.use(async (ctx) => {
  if (ctx.path === '/stats') {
    const cpu = process.cpuUsage();
    ctx.body = { cpuMicros: cpu.user + cpu.system, statements: statements() };
  } else if (ctx.path === '/peer-orders' && ctx.method === 'POST') {
    const numbers = JSON.parse(await getRawBody(ctx.req, { encoding: 'utf8', limit: '16mb' })) as string[];
    for (let i = 0; i < numbers.length; i += 1000) {
      const rows = numbers.slice(i, i + 1000).map((outTradeNo) => sql`(${outTradeNo})`);
      await sql`INSERT INTO bench_peer_orders (out_trade_no) VALUES ${sql.join(rows)}`.execute(database.db);
    }
    ctx.status = 204;
  } else if (ctx.path === '/paid') {
    const count = async (db: typeof database.db) =>
      Number(
        (
          await db
            .selectFrom('orders')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .where('status', '=', 'PAID')
            .executeTakeFirstOrThrow()
        ).n,
      );
    ctx.body = { paid: await count(database.db), paidV3: await count(databaseV3.db) };
  } else ctx.status = 404;
});

const servers = [createServer(bare.callback()), createServer(peer.callback()), createServer(control.callback())];
const [bareUrl, peerUrl, controlUrl] = await Promise.all(servers.map(listen));
console.log(
  JSON.stringify({
    bff: bff.url,
    bffV3: bffV3.url,
    bare: bareUrl,
    peer: peerUrl,
    control: controlUrl,
    storage: isPostgres ? 'PostgreSQL' : 'PGlite in memory',
  }),
);

// The orchestrator closes our stdin when it is done (or dies): shut down and drop the schema.
process.stdin.resume();
process.stdin.on('close', async () => {
  for (const server of servers) server.close();
  await bff.close();
  await bffV3.close();
  if (isPostgres) {
    await sql.raw(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).execute(database.db);
    await sql.raw(`DROP SCHEMA IF EXISTS ${schema}_v3 CASCADE`).execute(databaseV3.db);
  }
  await database.close();
  await databaseV3.close();
  process.exit(0);
});
