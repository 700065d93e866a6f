/**
 * EXPLAIN ANALYZE of the operator order list at a million orders, on PostgreSQL:
 * `DATABASE_URL=postgres://… tsx bench/explain-order-list.ts` (a throw-away schema, dropped afterwards).
 */
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import { openDatabase } from '../src/db/connect';
import { explainableOrderQuery, listOrdersPage, parseOrderFilter } from '../src/orders/operator-queries';

const url = process.env.DATABASE_URL;
if (!url?.startsWith('postgres')) throw new Error('set DATABASE_URL to a PostgreSQL URL');
const ORDERS = Number(process.env.ORDERS ?? 1_000_000);
const schema = `explain_${randomBytes(4).toString('hex')}`;
const handle = await openDatabase({ kind: 'postgres', url }, { schema, poolSize: 2 });
const { db } = handle;
try {
  const started = Date.now();
  // A year of orders; 1 in 5 still PENDING, 1 in 2000 flagged; every paid one has a transaction id.
  await sql`insert into orders (out_trade_no, status, total_fen, owner_id, openid, transaction_id, sign_type, expires_at,
      created_at, updated_at, paid_at, needs_attention)
    select 'B' || g, case when g % 5 = 0 then 'PENDING' else 'PAID' end, 100 + g % 5000, 'owner' || (g % 50000),
      'openid' || (g % 50000), case when g % 5 = 0 then null else '4200' || lpad(g::text, 24, '0') end, 'MD5',
      now(), now() - (g || ' seconds')::interval * 31, now() - (g || ' seconds')::interval * 31,
      case when g % 5 = 0 then null else now() - (g || ' seconds')::interval * 31 end, g % 2000 = 0
    from generate_series(1, ${ORDERS}) g`.execute(db);
  await sql`analyze orders`.execute(db);
  console.log(`${ORDERS} orders inserted in ${Date.now() - started} ms`);

  const middle = await listOrdersPage(db, { ...parseOrderFilter({ limit: '50' }), limit: 50 });
  const cursor = middle.nextCursor!;
  const cases: [string, Record<string, string>][] = [
    ['first page, no filter', {}],
    ['next page (cursor)', { cursor }],
    ['status=PENDING', { status: 'PENDING' }],
    ['attention=1', { attention: '1' }],
    ['from/to one Beijing day', { from: '2026-06-01', to: '2026-06-01' }],
    ['q = transaction_id', { q: `4200${'1234567'.padStart(24, '0')}` }],
    ['q = openid', { q: 'openid4242' }],
  ];
  for (const [label, query] of cases) {
    const filter = parseOrderFilter({ limit: '50', ...query });
    // The same query the API runs, compiled by Kysely, explained by PostgreSQL.
    const compiled = explainableOrderQuery(db, filter).compile();
    const plan = await db.executeQuery<{ 'QUERY PLAN': string }>({
      ...compiled,
      sql: `explain (analyze, buffers off) ${compiled.sql}`,
    });
    const lines = plan.rows.map((r) => r['QUERY PLAN']);
    const time = lines.find((l) => l.startsWith('Execution Time')) ?? '';
    const scans = lines.filter((l) => /Scan|Sort/.test(l)).map((l) => l.trim().replace(/\s+\(cost.*$/, ''));
    console.log(`${label.padEnd(26)} ${time.padEnd(28)} ${scans.join(' | ')}`);
  }
} finally {
  await handle.close();
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`drop schema if exists ${schema} cascade`);
  await admin.end();
}
