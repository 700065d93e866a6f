/**
 * Gauges read from the database when Prometheus scrapes: they cost nothing between scrapes and
 * always agree with the rows (every instance reports the same numbers: alert on max, not sum).
 */
import { Gauge, type Registry } from 'prom-client';
import { latestBillResult } from '../bills/repository';
import { isReachable, type DatabaseHandle } from '../db/connect';
import { credentialAgesSeconds } from '../jssdk/repository';
import type { Logger } from '../logger';
import { countAttentionOrders, countStaleUnpaidPrepays, reconcilerLagSeconds } from '../orders/repository';
import { RECONCILE_MIN_PREPAY_AGE_MS } from '../payments/reconciler';
import { PREFIX } from './metrics';

/** A prepay this old without a payment: the shopper gave up, or the payment's notification went missing. */
const STALE_PREPAY_MS = 10 * 60_000;

/** Registers the database gauges in `registry`. A query that fails reports NaN (unknown), never 0. */
export function watchDatabase(registry: Registry, database: DatabaseHandle, log: Logger): void {
  const { db } = database;
  const registers = [registry];
  const queried = (name: string, help: string, read: () => Promise<number>) =>
    new Gauge({
      name: `${PREFIX}${name}`,
      help,
      registers,
      async collect() {
        try {
          this.set(await read());
        } catch (err) {
          log.warn({ err, metric: name }, 'metrics: database gauge query failed');
          this.set(Number.NaN);
        }
      },
    });

  // Registered first, so a scrape reads the pool before its own queries below take connections from it.
  const poolStats = database.poolStats;
  if (poolStats) {
    new Gauge({
      name: `${PREFIX}db_pool_connections`,
      help: 'PostgreSQL pool connections by state (in_use, idle; waiting = queries queued for a connection).',
      labelNames: ['state'],
      registers,
      collect() {
        const { total, idle, waiting } = poolStats();
        this.set({ state: 'in_use' }, total - idle);
        this.set({ state: 'idle' }, idle);
        this.set({ state: 'waiting' }, waiting);
      },
    });
  }
  queried('unpaid_prepays_over_10m', 'Unpaid orders whose prepay is older than 10 minutes.', () =>
    countStaleUnpaidPrepays(db, STALE_PREPAY_MS),
  );
  queried(
    'reconciler_lag_seconds',
    'How long the longest-waiting order due for a reconciler check has waited (0 = none waiting).',
    () => reconcilerLagSeconds(db, RECONCILE_MIN_PREPAY_AGE_MS),
  );
  queried('attention_orders', 'Orders on the attention list (needs_attention).', () => countAttentionOrders(db));
  new Gauge({
    name: `${PREFIX}jssdk_credential_age_seconds`,
    help: 'Seconds since the shared access_token / jsapi_ticket was fetched (no series before the first fetch).',
    labelNames: ['credential'],
    registers,
    async collect() {
      try {
        for (const { name, ageSeconds } of await credentialAgesSeconds(db)) this.set({ credential: name }, ageSeconds);
      } catch (err) {
        log.warn({ err, metric: 'jssdk_credential_age_seconds' }, 'metrics: database gauge query failed');
      }
    },
  });
  // The day as yyyymmdd and a 1 on its status, so a rule can tell "yesterday not reconciled" from "differences found".
  queried(
    'bill_last_reconciled_day',
    'The latest Beijing day whose WeChat bill was reconciled, as yyyymmdd (0 before the first run).',
    async () => {
      const latest = await latestBillResult(db);
      return latest ? Number(latest.day.replaceAll('-', '')) : 0;
    },
  );
  new Gauge({
    name: `${PREFIX}bill_last_result`,
    help: 'How the latest reconciled day ended: 1 on its status (MATCHED, DISCREPANCIES, NO_BILL), 0 on the others.',
    labelNames: ['status'],
    registers,
    async collect() {
      try {
        const latest = await latestBillResult(db);
        for (const status of ['MATCHED', 'DISCREPANCIES', 'NO_BILL'] as const) {
          this.set({ status }, latest?.status === status ? 1 : 0);
        }
      } catch (err) {
        log.warn({ err, metric: 'bill_last_result' }, 'metrics: database gauge query failed');
      }
    },
  });
  new Gauge({
    name: `${PREFIX}database_up`,
    help: '1 when the database answered a query during this scrape, else 0.',
    registers,
    async collect() {
      this.set((await isReachable(db)) ? 1 : 0);
    },
  });
}
