/**
 * Two BFF instances on one PostgreSQL, which restarts under a stream of orders, payments and WeChat's
 * notifications: neither instance dies, every payment ends PAID exactly once, and both serve again
 * without a restart. Uses a throw-away cluster of its own (skipped when PostgreSQL is not installed).
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBff, type RunningBff } from '../src/app';
import { openDatabase, type DatabaseHandle } from '../src/db/connect';
import { createLogger } from '../src/logger';
import { Browser } from './helpers/browser';
import { postgresBinDir, startPgCluster, type PgCluster } from './helpers/pg-cluster';
import { useStack, waitFor } from './helpers/stack';
import { orderBody } from './helpers/delivery-address';

const ORDERS = 16;
/** The order after which PostgreSQL goes down; it comes back once the stream has met the outage. */
const RESTART_AFTER = 5;
/** Bounds every retry loop (attempts × RETRY_PAUSE_MS), far above a restart on a busy machine. */
const MAX_ATTEMPTS = 1_200;
const RETRY_PAUSE_MS = 100;

describe.skipIf(!postgresBinDir())('two BFF instances through a PostgreSQL restart', () => {
  let cluster: PgCluster;
  let second: RunningBff;
  let secondDb: DatabaseHandle;
  const lines: string[] = [];
  const logger = createLogger('info', { write: (line: string) => void lines.push(line) });
  const target = () => ({ kind: 'postgres' as const, url: cluster.url });

  // Hooks after the tests run in reverse order: the cluster goes last, after both instances.
  beforeAll(async () => {
    cluster = await startPgCluster();
  }, 180_000);
  afterAll(async () => {
    await cluster?.destroy();
  }, 180_000);
  const { stack } = useStack(
    { name: 'postgres' },
    { MAX_PENDING_ORDERS: '0' },
    { database: () => openDatabase(target(), { logger }) },
  );
  beforeAll(async () => {
    secondDb = await openDatabase(target(), { logger });
    second = await startBff(stack.bff.services.config, { database: secondDb, logger });
  });
  afterAll(async () => {
    await second?.close();
    await secondDb?.close();
  });

  it('loses no payment, applies none twice, and both instances serve again', async () => {
    const instances = [stack.bff, second];
    let failures = 0;
    let outageMet: () => void = () => undefined;
    const outage = new Promise<void>((resolve) => (outageMet = resolve));

    /** What a client does through an outage: try again (a 503 or a dropped connection), boundedly. */
    async function retried(attempt: () => Promise<Response>, ok: (status: number) => boolean): Promise<Response> {
      for (let i = 0; i < MAX_ATTEMPTS; i++) {
        const res = await attempt().catch(() => null);
        if (res && ok(res.status)) return res;
        if (res && res.status !== 503) throw new Error(`unexpected ${res.status}: ${await res.text()}`);
        if (res) expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
        failures += 1;
        outageMet();
        await new Promise((r) => setTimeout(r, RETRY_PAUSE_MS));
      }
      throw new Error('no answer through the outage');
    }

    const paid: string[] = [];
    let restart: Promise<void> | undefined;
    for (let i = 0; i < ORDERS; i++) {
      if (i === RESTART_AFTER) {
        restart = (async () => {
          await cluster.stop();
          await outage;
          await cluster.start();
        })();
      }
      const bff = instances[i % 2]!;
      const shopper = new Browser(bff.url);
      const key = { 'Idempotency-Key': randomBytes(12).toString('hex') };
      const items = [{ productId: 'green-tea', quantity: 1 }];
      const created = await retried(
        () => shopper.post('/api/orders', orderBody(items), key),
        (s) => s === 201 || s === 200,
      );
      const { outTradeNo } = (await created.json()) as { outTradeNo: string };
      await retried(
        () => shopper.post(`/api/orders/${outTradeNo}/pay`, { tradeType: 'NATIVE' }),
        (s) => s === 200,
      );
      // The shopper pays; WeChat notifies (and re-sends on FAIL or no answer, as it does).
      await stack.emu.pay(outTradeNo);
      paid.push(outTradeNo);
    }
    await restart;
    expect(failures).toBeGreaterThan(0);

    // Every payment lands, by notification or, for one WeChat stopped re-sending, by the reconciler.
    const events = await waitFor(async () => {
      for (const bff of instances) await bff.reconcileOnce({ minPrepayAgeMs: 0 }).catch(() => undefined);
      const rows = await stack.database.db
        .selectFrom('order_events')
        .innerJoin('orders', 'orders.id', 'order_events.order_id')
        .select(['orders.out_trade_no', 'orders.status'])
        .where('order_events.to_status', '=', 'PAID')
        .execute()
        .catch(() => []);
      return rows.length >= paid.length ? rows : undefined;
    }, 120_000);
    expect(events.map((e) => e.out_trade_no).sort()).toEqual([...paid].sort());
    expect(new Set(events.map((e) => e.status))).toEqual(new Set(['PAID']));

    for (const bff of instances) {
      expect((await fetch(`${bff.url}/readyz`)).status).toBe(200);
      const res = await new Browser(bff.url).post('/api/orders', orderBody([{ productId: 'mug', quantity: 1 }]));
      expect(res.status).toBe(201);
    }
    // Survived: an unhandled 'error' from a dropped pooled connection would have failed the run by itself
    // (whether a connection was idle at the stop, and so logged, depends on timing).
  }, 300_000);
});
