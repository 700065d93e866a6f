/**
 * PostgreSQL going away (restart, failover, pg_terminate_backend, a proxy's idle timeout) neither kills
 * the BFF nor looks like a bug: requests answer 503 while it is gone, and the BFF serves again when it
 * is back, without a restart. PostgreSQL only (TEST_DATABASE_URL); cut off through a loopback relay.
 */
import pg from 'pg';
import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger';
import { openTestDatabase, testPostgresUrl } from './helpers/backends';
import {
  FAIL_XML,
  SUCCESS_XML,
  createOrder,
  payNotifyXml,
  postNotify,
  refundNotifyXml,
  useStack,
  waitFor,
} from './helpers/stack';
import { startTcpProxy, type TcpProxy } from './helpers/tcp-proxy';
import { orderBody } from './helpers/delivery-address';

const postgres = { name: 'postgres' as const };

function captureLogger() {
  const lines: string[] = [];
  const logger = createLogger('debug', { write: (line: string) => void lines.push(line) });
  const messages = () => lines.map((l) => JSON.parse(l) as { level: number; msg: string });
  return { logger, messages };
}

describe.skipIf(!testPostgresUrl)('PostgreSQL connection loss', () => {
  it('an idle pooled connection terminated by the server is logged, and the next query reconnects', async () => {
    const { logger, messages } = captureLogger();
    const database = await openTestDatabase(postgres, { logger, poolSize: 1 });
    const admin = new pg.Client({ connectionString: testPostgresUrl });
    await admin.connect();
    try {
      const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(database.db);
      const pid = rows[0]!.pid;
      // "terminating connection due to administrator command", on a connection idle in the pool.
      await admin.query('select pg_terminate_backend($1)', [pid]);
      await waitFor(
        async () => messages().some((m) => m.level === 40 && /idle database connection lost/.test(m.msg)),
        60_000,
      );
      const again = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(database.db);
      expect(again.rows[0]!.pid).not.toBe(pid);
    } finally {
      await admin.end();
      await database.close();
    }
  });
});

describe.skipIf(!testPostgresUrl)('while PostgreSQL is unreachable', () => {
  let proxy: TcpProxy;
  const dbLog = captureLogger();
  beforeAll(async () => {
    proxy = await startTcpProxy(testPostgresUrl!);
  });
  // Registered before the stack's, so it runs after the stack has closed.
  afterAll(async () => {
    await proxy?.close();
  });
  const { stack } = useStack(
    postgres,
    {},
    {
      database: () => openTestDatabase(postgres, { url: proxy.url, logger: dbLog.logger, poolSize: 4 }),
    },
  );
  afterEach(() => proxy.restore());

  it('API requests answer 503 SERVICE_UNAVAILABLE with Retry-After, then serve again without a restart', async () => {
    const browser = stack.browser();
    const before = await createOrder(browser);
    proxy.cut();
    for (const res of [
      await browser.post('/api/orders', orderBody([{ productId: 'green-tea', quantity: 1 }])),
      await browser.get(`/api/orders/${before.outTradeNo}`),
      await browser.get('/api/products'),
    ]) {
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('SERVICE_UNAVAILABLE');
      expect(body.error.message).not.toMatch(/ECONN|terminated|postgres/i);
    }
    expect((await fetch(`${stack.bff.url}/readyz`)).status).toBe(503);

    proxy.restore();
    expect((await fetch(`${stack.bff.url}/readyz`)).status).toBe(200);
    const after = await createOrder(browser);
    expect(after.outTradeNo).not.toBe(before.outTradeNo);
  });

  it('notifications answer 503 + WeChat FAIL while it is gone (so WeChat retries), and SUCCESS once back', async () => {
    const order = await createOrder(stack.browser());
    const xml = payNotifyXml({ outTradeNo: order.outTradeNo, totalFee: order.totalFen });
    const refundXml = refundNotifyXml(
      { outTradeNo: order.outTradeNo, outRefundNo: `${order.outTradeNo}Rx`, refundFen: 1, totalFen: order.totalFen },
      'SUCCESS',
    );
    proxy.cut();
    for (const [path, body] of [
      ['/api/wechat/pay/notify', xml],
      ['/api/wechat/refund/notify', refundXml],
    ] as const) {
      const res = await postNotify(stack, body, path);
      expect(res.status).toBe(503);
      expect(res.type).toMatch(/xml/);
      expect(res.body).toMatch(FAIL_XML);
    }
    proxy.restore();
    expect((await postNotify(stack, xml)).body).toMatch(SUCCESS_XML);
    expect(
      (
        await stack.database.db
          .selectFrom('orders')
          .select('status')
          .where('out_trade_no', '=', order.outTradeNo)
          .executeTakeFirstOrThrow()
      ).status,
    ).toBe('PAID');
  });

  it('connections dropped under the pool are logged as a warning, not an unhandled error', async () => {
    await createOrder(stack.browser());
    proxy.cut();
    await waitFor(
      async () => dbLog.messages().some((m) => m.level === 40 && /database connection lost/.test(m.msg)),
      60_000,
    );
  });
});
