/** Schema migrations, provided in code so the BFF needs no migration files at runtime. */
import { sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import { DEMO_PRODUCT_PAGES } from '../catalog/demo-pages';
import { pictureUrl } from '../catalog/picture-urls';
import { DEMO_PRODUCTS } from '../catalog/seed';

const migrations: Record<string, Migration> = {
  '2026_11_26_001_initial': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('products')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('description', 'text', (c) => c.notNull())
        .addColumn('price_fen', 'integer', (c) => c.notNull().check(sql`price_fen > 0`))
        .addColumn('image_url', 'text', (c) => c.notNull())
        .addColumn('stock', 'integer', (c) => c.notNull())
        .addColumn('sort_order', 'integer', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('shoppers')
        .addColumn('openid', 'text', (c) => c.primaryKey())
        .addColumn('nickname', 'text')
        .addColumn('avatar_url', 'text')
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .addColumn('last_login_at', 'timestamptz', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('sessions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('data', 'jsonb', (c) => c.notNull())
        .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('sessions_expires_at').on('sessions').column('expires_at').execute();

      await db.schema
        .createTable('orders')
        .addColumn('id', 'serial', (c) => c.primaryKey())
        .addColumn('out_trade_no', 'text', (c) => c.notNull().unique())
        .addColumn('status', 'text', (c) =>
          c.notNull().check(sql`status in ('PENDING','PAID','CLOSED','REFUNDING','REFUNDED','FAILED')`),
        )
        .addColumn('total_fen', 'integer', (c) => c.notNull().check(sql`total_fen > 0`))
        .addColumn('refunded_fen', 'integer', (c) =>
          c
            .notNull()
            .defaultTo(0)
            .check(sql`refunded_fen >= 0`),
        )
        .addColumn('owner_id', 'text', (c) => c.notNull())
        .addColumn('openid', 'text')
        .addColumn('trade_type', 'text')
        .addColumn('prepay_id', 'text')
        .addColumn('code_url', 'text')
        .addColumn('prepay_created_at', 'timestamptz')
        .addColumn('prepay_expires_at', 'timestamptz')
        .addColumn('wx_time_expire', 'timestamptz')
        .addColumn('transaction_id', 'text')
        .addColumn('sign_type', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
        .addColumn('paid_at', 'timestamptz')
        .addColumn('last_queried_at', 'timestamptz')
        .addColumn('reconcile_lease_until', 'timestamptz')
        .addColumn('needs_attention', 'boolean', (c) => c.notNull().defaultTo(false))
        .addColumn('attention_reason', 'text')
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .addCheckConstraint('orders_refund_le_total', sql`refunded_fen <= total_fen`)
        .execute();
      await db.schema.createIndex('orders_owner').on('orders').columns(['owner_id', 'created_at']).execute();
      await db.schema.createIndex('orders_openid').on('orders').columns(['openid', 'created_at']).execute();
      await db.schema
        .createIndex('orders_pending')
        .on('orders')
        .column('status')
        .where(sql.ref('status'), '=', 'PENDING')
        .execute();

      await db.schema
        .createTable('order_items')
        .addColumn('id', 'serial', (c) => c.primaryKey())
        .addColumn('order_id', 'integer', (c) => c.notNull().references('orders.id').onDelete('cascade'))
        .addColumn('product_id', 'text', (c) => c.notNull().references('products.id'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('unit_price_fen', 'integer', (c) => c.notNull())
        .addColumn('quantity', 'integer', (c) => c.notNull().check(sql`quantity > 0`))
        .execute();
      await db.schema.createIndex('order_items_order').on('order_items').column('order_id').execute();

      // Audit trail of every status transition; also lets tests count transitions exactly.
      await db.schema
        .createTable('order_events')
        .addColumn('id', 'serial', (c) => c.primaryKey())
        .addColumn('order_id', 'integer', (c) => c.notNull().references('orders.id').onDelete('cascade'))
        .addColumn('from_status', 'text', (c) => c.notNull())
        .addColumn('to_status', 'text', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('detail', 'text')
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .execute();
      await db.schema.createIndex('order_events_order').on('order_events').column('order_id').execute();

      // The unique transaction_id is what makes duplicate notifications idempotent.
      await db.schema
        .createTable('payment_notifications')
        .addColumn('id', 'serial', (c) => c.primaryKey())
        .addColumn('transaction_id', 'text', (c) => c.notNull().unique())
        .addColumn('out_trade_no', 'text', (c) => c.notNull())
        .addColumn('total_fee', 'integer', (c) => c.notNull())
        .addColumn('outcome', 'text', (c) => c.notNull())
        .addColumn('raw', 'jsonb', (c) => c.notNull())
        .addColumn('received_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .execute();

      await db.schema
        .createTable('refunds')
        .addColumn('out_refund_no', 'text', (c) => c.primaryKey())
        .addColumn('order_id', 'integer', (c) => c.notNull().references('orders.id'))
        .addColumn('refund_id', 'text')
        .addColumn('refund_fen', 'integer', (c) => c.notNull().check(sql`refund_fen > 0`))
        .addColumn('reason', 'text')
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .execute();
      await db.schema.createIndex('refunds_order').on('refunds').column('order_id').execute();
    },
    async down(db: Kysely<unknown>) {
      for (const t of [
        'refunds',
        'payment_notifications',
        'order_events',
        'order_items',
        'orders',
        'sessions',
        'shoppers',
        'products',
      ]) {
        await db.schema.dropTable(t).ifExists().execute();
      }
    },
  },
  '2026_11_26_002_seed_products': {
    async up(db: Kysely<unknown>) {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations run against the untyped schema
      await (db as Kysely<any>)
        .insertInto('products')
        .values(DEMO_PRODUCTS)
        .onConflict((oc) => oc.column('id').doNothing())
        .execute();
    },
  },
  '2026_12_01_003_stock_reservations': {
    async up(db: Kysely<unknown>) {
      // Stock is now decremented by orders; the database refuses to let it go negative whatever the code does.
      await sql`ALTER TABLE products ADD CONSTRAINT products_stock_nonnegative CHECK (stock >= 0)`.execute(db);
      // The operator's attention list reads only flagged orders.
      await db.schema
        .createIndex('orders_attention')
        .on('orders')
        .column('updated_at')
        .where(sql.ref('needs_attention'), '=', true)
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropIndex('orders_attention').ifExists().execute();
      await sql`ALTER TABLE products DROP CONSTRAINT IF EXISTS products_stock_nonnegative`.execute(db);
    },
  },
  '2026_12_02_004_refund_idempotency_keys': {
    async up(db: Kysely<unknown>) {
      // The operator's Idempotency-Key: a retried refund request finds the refund it already started.
      await db.schema
        .alterTable('refunds')
        .addColumn('idempotency_key', 'text', (c) => c.unique())
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.alterTable('refunds').dropColumn('idempotency_key').execute();
    },
  },
  '2026_12_03_005_order_idempotency_keys': {
    async up(db: Kysely<unknown>) {
      // The storefront's Idempotency-Key: a retried checkout finds the order it already created. Keys are
      // per owner, and the unique index is what lets only one of several concurrent duplicates insert
      // (orders without a key have NULL there, and NULLs never collide).
      await db.schema.alterTable('orders').addColumn('idempotency_key', 'text').execute();
      await db.schema
        .createIndex('orders_owner_idempotency_key')
        .on('orders')
        .columns(['owner_id', 'idempotency_key'])
        .unique()
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropIndex('orders_owner_idempotency_key').ifExists().execute();
      await db.schema.alterTable('orders').dropColumn('idempotency_key').execute();
    },
  },
  '2026_12_04_006_oauth_callback_claims': {
    async up(db: Kysely<unknown>) {
      // One row per OAuth state whose callback arrived: the primary key is what lets exactly one of
      // several concurrent callbacks exchange the code; the others wait for its outcome.
      await db.schema
        .createTable('oauth_callbacks')
        .addColumn('state', 'text', (c) => c.primaryKey())
        .addColumn('code_hash', 'text', (c) => c.notNull())
        .addColumn('outcome', 'jsonb')
        .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('oauth_callbacks_expires_at').on('oauth_callbacks').column('expires_at').execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('oauth_callbacks').ifExists().execute();
    },
  },
  '2026_12_05_007_test_only_products': {
    async up(db: Kysely<unknown>) {
      // The ¥0.01 sticker (seeded by 002 everywhere) exists to test payments; production hides it.
      await db.schema
        .alterTable('products')
        .addColumn('test_only', 'boolean', (c) => c.notNull().defaultTo(false))
        .execute();
      await sql`UPDATE products SET test_only = true WHERE id = 'sticker'`.execute(db);
    },
    async down(db: Kysely<unknown>) {
      await db.schema.alterTable('products').dropColumn('test_only').execute();
    },
  },
  '2026_12_06_008_wechat_credentials': {
    async up(db: Kysely<unknown>) {
      // The global access_token and the jsapi_ticket, shared by every BFF instance: each fetch of a token
      // replaces the one before, so instances must not fetch their own (jssdk/credentials.ts).
      await db.schema
        .createTable('wechat_credentials')
        .addColumn('app_id', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull().check(sql`name IN ('access_token', 'jsapi_ticket')`))
        .addColumn('value', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
        .addColumn('refresh_at', 'timestamptz', (c) => c.notNull())
        .addColumn('forced_at', 'timestamptz')
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .addPrimaryKeyConstraint('wechat_credentials_pk', ['app_id', 'name'])
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('wechat_credentials').ifExists().execute();
    },
  },
  '2026_12_06_009_order_delivery_address': {
    async up(db: Kysely<unknown>) {
      // The address as given at checkout, kept with the order (a snapshot, not a reference to an address book).
      await db.schema.alterTable('orders').addColumn('delivery_address', 'jsonb').execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.alterTable('orders').dropColumn('delivery_address').execute();
    },
  },
  '2026_12_07_010_fulfilment_and_after_sales': {
    async up(db: Kysely<unknown>) {
      // Fulfilment is its own axis: payment (status) changes, refunds included, never touch these columns.
      await db.schema
        .alterTable('orders')
        .addColumn('fulfilment', 'text', (c) =>
          c
            .notNull()
            .defaultTo('UNSHIPPED')
            .check(sql`fulfilment in ('UNSHIPPED','SHIPPED','RECEIVED')`),
        )
        .addColumn('carrier', 'text')
        .addColumn('tracking_no', 'text')
        .addColumn('shipped_at', 'timestamptz')
        // Fixed when shipped, so the date the shopper was shown holds even if AUTO_RECEIVE_DAYS changes.
        .addColumn('auto_receive_at', 'timestamptz')
        .addColumn('received_at', 'timestamptz')
        .addColumn('auto_received', 'boolean', (c) => c.notNull().defaultTo(false))
        .execute();
      // The reconciler's auto-receive pass reads only shipped orders.
      await db.schema
        .createIndex('orders_shipped')
        .on('orders')
        .column('auto_receive_at')
        .where(sql.ref('fulfilment'), '=', 'SHIPPED')
        .execute();
      // Readable order numbers (date + this sequence): one sequence in the database, so every instance
      // draws different numbers.
      await sql`CREATE SEQUENCE IF NOT EXISTS order_no_seq`.execute(db);

      await db.schema
        .createTable('after_sales')
        .addColumn('id', 'serial', (c) => c.primaryKey())
        .addColumn('order_id', 'integer', (c) => c.notNull().references('orders.id').onDelete('cascade'))
        .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('REFUND_ONLY','RETURN_REFUND')`))
        .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('PENDING','APPROVED','REJECTED')`))
        .addColumn('amount_fen', 'integer', (c) => c.notNull().check(sql`amount_fen > 0`))
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('reject_reason', 'text')
        .addColumn('out_refund_no', 'text', (c) => c.references('refunds.out_refund_no'))
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .addColumn('decided_at', 'timestamptz')
        .execute();
      await db.schema.createIndex('after_sales_order').on('after_sales').column('order_id').execute();
      // At most one request waits per order: two concurrent 申请退款 cannot both be accepted.
      await db.schema
        .createIndex('after_sales_one_pending')
        .on('after_sales')
        .column('order_id')
        .unique()
        .where(sql.ref('status'), '=', 'PENDING')
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('after_sales').ifExists().execute();
      await sql`DROP SEQUENCE IF EXISTS order_no_seq`.execute(db);
      await db.schema.dropIndex('orders_shipped').ifExists().execute();
      for (const column of [
        'auto_received',
        'received_at',
        'auto_receive_at',
        'shipped_at',
        'tracking_no',
        'carrier',
        'fulfilment',
      ]) {
        await db.schema.alterTable('orders').dropColumn(column).execute();
      }
    },
  },
  '2026_12_08_011_rate_limits': {
    // rate-limiter-flexible's PostgreSQL store (its own layout), so every BFF instance counts in one place.
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('rate_limits')
        .addColumn('key', 'varchar(255)', (c) => c.primaryKey())
        .addColumn('points', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('expire', 'bigint')
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('rate_limits').execute();
    },
  },
  '2026_12_08_012_bill_reconciliations': {
    async up(db: Kysely<unknown>) {
      // One row per reconciled day, replaced whole on a re-run: WeChat's totals, ours, the counts.
      await db.schema
        .createTable('bill_reconciliations')
        .addColumn('bill_date', 'text', (c) => c.primaryKey())
        .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('MATCHED','DISCREPANCIES','NO_BILL')`))
        .addColumn('wechat_count', 'integer', (c) => c.notNull())
        .addColumn('wechat_paid_fen', 'bigint', (c) => c.notNull())
        .addColumn('wechat_refund_fen', 'bigint', (c) => c.notNull())
        .addColumn('wechat_fee_milli_fen', 'bigint', (c) => c.notNull())
        .addColumn('our_payment_count', 'integer', (c) => c.notNull())
        .addColumn('our_paid_fen', 'bigint', (c) => c.notNull())
        .addColumn('our_refund_count', 'integer', (c) => c.notNull())
        .addColumn('our_refund_fen', 'bigint', (c) => c.notNull())
        .addColumn('matched_payments', 'integer', (c) => c.notNull())
        .addColumn('matched_refunds', 'integer', (c) => c.notNull())
        .addColumn('discrepancy_count', 'integer', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('reconciled_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .execute();
      await db.schema
        .createTable('bill_discrepancies')
        .addColumn('id', 'serial', (c) => c.primaryKey())
        .addColumn('bill_date', 'text', (c) =>
          c.notNull().references('bill_reconciliations.bill_date').onDelete('cascade'),
        )
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('out_trade_no', 'text', (c) => c.notNull())
        .addColumn('out_refund_no', 'text')
        .addColumn('transaction_id', 'text')
        .addColumn('wechat_fen', 'integer')
        .addColumn('our_fen', 'integer')
        /** Null when we have no such order (a payment we never heard of). */
        .addColumn('order_id', 'integer', (c) => c.references('orders.id'))
        .addColumn('note', 'text')
        .execute();
      await db.schema.createIndex('bill_discrepancies_day').on('bill_discrepancies').column('bill_date').execute();
      // The lease of a day's run (one instance at a time) and its retry schedule, apart from the stored
      // result so that a failed re-run never touches the last good one.
      await db.schema
        .createTable('bill_runs')
        .addColumn('bill_date', 'text', (c) => c.primaryKey())
        .addColumn('lease_until', 'timestamptz', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('next_attempt_at', 'timestamptz')
        .addColumn('last_error', 'text')
        .execute();
    },
    async down(db: Kysely<unknown>) {
      for (const t of ['bill_runs', 'bill_discrepancies', 'bill_reconciliations'])
        await db.schema.dropTable(t).ifExists().execute();
    },
  },
  '2026_12_08_013_operators_and_audit_log': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('operators')
        .addColumn('id', 'serial', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('password_hash', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull().check(sql`role in ('viewer','operator','admin')`))
        .addColumn('disabled', 'boolean', (c) => c.notNull().defaultTo(false))
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .execute();
      // Operator sessions apart from shoppers': the cookie carries a random token, the table its sha256.
      await db.schema
        .createTable('operator_sessions')
        .addColumn('token_hash', 'text', (c) => c.primaryKey())
        .addColumn('operator_id', 'integer', (c) => c.notNull().references('operators.id').onDelete('cascade'))
        .addColumn('csrf_token', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .execute();
      await db.schema
        .createIndex('operator_sessions_expires_at')
        .on('operator_sessions')
        .column('expires_at')
        .execute();
      await db.schema
        .createTable('audit_log')
        .addColumn('id', 'serial', (c) => c.primaryKey())
        .addColumn('at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('target', 'text')
        .addColumn('before', 'jsonb')
        .addColumn('after', 'jsonb')
        .execute();
      // Append-only whatever the code does: the database itself refuses to change or remove an entry.
      await sql`CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$`.execute(db);
      await sql`CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
        FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()`.execute(db);
      // The order list's filters and keyset paging (created_at desc, id desc).
      await db.schema.createIndex('orders_created').on('orders').columns(['created_at', 'id']).execute();
      await db.schema
        .createIndex('orders_status_created')
        .on('orders')
        .columns(['status', 'created_at', 'id'])
        .execute();
      await db.schema.createIndex('orders_transaction_id').on('orders').column('transaction_id').execute();
    },
    async down(db: Kysely<unknown>) {
      for (const index of ['orders_transaction_id', 'orders_status_created', 'orders_created']) {
        await db.schema.dropIndex(index).ifExists().execute();
      }
      for (const t of ['audit_log', 'operator_sessions', 'operators'])
        await db.schema.dropTable(t).ifExists().execute();
      await sql`DROP FUNCTION IF EXISTS audit_log_append_only()`.execute(db);
    },
  },
  '2026_12_09_014_wechat_calls': {
    async up(db: Kysely<unknown>) {
      // Every Pay call made for an order (never its body, key or signature), for the console's order page.
      await db.schema
        .createTable('wechat_calls')
        .addColumn('id', 'bigserial', (c) => c.primaryKey())
        .addColumn('out_trade_no', 'text')
        .addColumn('out_refund_no', 'text')
        .addColumn('call', 'text', (c) => c.notNull())
        .addColumn('endpoint', 'text', (c) => c.notNull())
        .addColumn('result', 'text', (c) => c.notNull())
        .addColumn('code', 'text')
        .addColumn('duration_ms', 'integer', (c) => c.notNull())
        .addColumn('called_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .execute();
      await db.schema.createIndex('wechat_calls_order').on('wechat_calls').columns(['out_trade_no', 'id']).execute();
      // Retention deletes by age.
      await db.schema.createIndex('wechat_calls_called_at').on('wechat_calls').column('called_at').execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('wechat_calls').ifExists().execute();
    },
  },
  '2026_12_09_015_product_pages': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .alterTable('products')
        .addColumn('gallery', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
        .addColumn('details', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
        // The law's default (网络购买商品七日无理由退货暂行办法); goods like tea opt out.
        .addColumn('seven_day_returns', 'boolean', (c) => c.notNull().defaultTo(true))
        .execute();
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations run against the untyped schema
      const products = db as Kysely<any>;
      for (const seeded of DEMO_PRODUCTS) {
        const page = DEMO_PRODUCT_PAGES[seeded.id];
        if (!page) continue;
        await products
          .updateTable('products')
          .set({ details: JSON.stringify(page.details), seven_day_returns: page.sevenDayReturns })
          .where('id', '=', seeded.id)
          .execute();
        // Only what 002 seeded is replaced: a description or picture someone changed since stays theirs.
        await products
          .updateTable('products')
          .set({ description: page.description })
          .where('id', '=', seeded.id)
          .where('description', '=', seeded.description)
          .execute();
        await products
          .updateTable('products')
          .set({ image_url: pictureUrl(page.pictures[0]!), gallery: JSON.stringify(page.pictures.map(pictureUrl)) })
          .where('id', '=', seeded.id)
          .where('image_url', '=', seeded.image_url)
          .execute();
      }
    },
    async down(db: Kysely<unknown>) {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations run against the untyped schema
      const products = db as Kysely<any>;
      for (const seeded of DEMO_PRODUCTS) {
        const page = DEMO_PRODUCT_PAGES[seeded.id];
        if (!page) continue;
        await products
          .updateTable('products')
          .set({ image_url: seeded.image_url })
          .where('id', '=', seeded.id)
          .where('image_url', '=', pictureUrl(page.pictures[0]!))
          .execute();
        await products
          .updateTable('products')
          .set({ description: seeded.description })
          .where('id', '=', seeded.id)
          .where('description', '=', page.description)
          .execute();
      }
      for (const column of ['seven_day_returns', 'details', 'gallery']) {
        await db.schema.alterTable('products').dropColumn(column).execute();
      }
    },
  },
  '2026_12_10_016_place_order': {
    async up(db: Kysely<unknown>) {
      // An order, its items and its stock in one call (orders/place-order.ts), so a checkout is one round trip.
      // Refusals are raised with SQLSTATEs of our own, which roll the whole call back: WXP01 unknown products
      // (DETAIL: their ids as JSON), WXP02 not enough stock (DETAIL: {productId, name}), WXP03 too many unpaid
      // orders (DETAIL: seconds until the first expires). No row: the owner already used this idempotency key.
      await sql`CREATE FUNCTION place_order(
          p_out_trade_no_prefix text, p_sequence_digits integer, p_owner_id text, p_openid text,
          p_idempotency_key text, p_delivery_address jsonb, p_sign_type text, p_expires_at timestamptz,
          p_created_at timestamptz, p_product_ids text[], p_quantities integer[], p_on_sale_only boolean,
          p_max_pending integer)
        RETURNS TABLE (placed orders, items jsonb) LANGUAGE plpgsql AS $$
        DECLARE
          v_lines jsonb;
          v_unknown text[];
          v_sequence text;
          v_order orders;
          v_line record;
          v_open bigint;
          v_first_expires_in double precision;
        BEGIN
          SELECT array_agg(w.id ORDER BY w.ord) INTO v_unknown
            FROM unnest(p_product_ids) WITH ORDINALITY AS w(id, ord)
            WHERE NOT EXISTS (SELECT 1 FROM products p WHERE p.id = w.id AND NOT (p_on_sale_only AND p.test_only));
          IF v_unknown IS NOT NULL THEN
            RAISE EXCEPTION 'unknown product' USING ERRCODE = 'WXP01', DETAIL = to_jsonb(v_unknown)::text;
          END IF;
          -- Names and prices as they are now: the order's total and its items come from this one read.
          SELECT jsonb_agg(jsonb_build_object('product_id', p.id, 'name', p.name, 'unit_price_fen', p.price_fen,
                   'quantity', w.quantity) ORDER BY w.ord) INTO v_lines
            FROM unnest(p_product_ids, p_quantities) WITH ORDINALITY AS w(id, quantity, ord)
            JOIN products p ON p.id = w.id;

          v_sequence := nextval('order_no_seq')::text;
          INSERT INTO orders (out_trade_no, status, total_fen, owner_id, openid, idempotency_key, delivery_address,
                              sign_type, expires_at, created_at, updated_at)
          VALUES (p_out_trade_no_prefix || lpad(v_sequence, greatest(length(v_sequence), p_sequence_digits), '0'),
                  'PENDING',
                  (SELECT sum((l->>'unit_price_fen')::bigint * (l->>'quantity')::bigint) FROM jsonb_array_elements(v_lines) l),
                  p_owner_id, p_openid, p_idempotency_key, p_delivery_address, p_sign_type, p_expires_at,
                  p_created_at, p_created_at)
          -- A retry, or a concurrent request with this key that committed first (waited for here).
          ON CONFLICT (owner_id, idempotency_key) DO NOTHING
          RETURNING * INTO v_order;
          IF NOT FOUND THEN RETURN; END IF;

          -- After the insert, so a retry is never refused for the order it created. Counted one create after
          -- the other per shopper.
          IF p_max_pending > 0 THEN
            PERFORM pg_advisory_xact_lock(hashtextextended('pending-orders:' || coalesce(p_openid, p_owner_id), 0));
            SELECT count(*), extract(epoch FROM min(expires_at) - now()) INTO v_open, v_first_expires_in
              FROM orders
              WHERE status = 'PENDING' AND expires_at > now()
                AND (owner_id = p_owner_id OR (p_openid IS NOT NULL AND openid = p_openid));
            IF v_open > p_max_pending THEN
              RAISE EXCEPTION 'too many unpaid orders' USING ERRCODE = 'WXP03', DETAIL = v_first_expires_in::text;
            END IF;
          END IF;

          -- Rows locked in one order (product id, byte order) by every create, so two never deadlock. Stock
          -- before items: the items' foreign keys then find the rows already locked by this transaction
          -- instead of piling shared locks on them.
          FOR v_line IN
            SELECT l->>'product_id' AS id, l->>'name' AS name, (l->>'quantity')::integer AS quantity
            FROM jsonb_array_elements(v_lines) l
            ORDER BY l->>'product_id' COLLATE "C"
          LOOP
            UPDATE products SET stock = stock - v_line.quantity WHERE id = v_line.id AND stock >= v_line.quantity;
            IF NOT FOUND THEN
              RAISE EXCEPTION 'not enough stock' USING ERRCODE = 'WXP02',
                DETAIL = jsonb_build_object('productId', v_line.id, 'name', v_line.name)::text;
            END IF;
          END LOOP;

          INSERT INTO order_items (order_id, product_id, name, unit_price_fen, quantity)
            SELECT v_order.id, e.l->>'product_id', e.l->>'name', (e.l->>'unit_price_fen')::integer,
                   (e.l->>'quantity')::integer
            FROM jsonb_array_elements(v_lines) WITH ORDINALITY AS e(l, ord)
            ORDER BY e.ord;
          RETURN QUERY SELECT v_order, (SELECT jsonb_agg(to_jsonb(i) ORDER BY i.id) FROM order_items i
                                        WHERE i.order_id = v_order.id);
        END $$`.execute(db);
    },
    async down(db: Kysely<unknown>) {
      await sql`DROP FUNCTION IF EXISTS place_order`.execute(db);
    },
  },
  '2026_12_10_017_product_ships': {
    async up(db: Kysely<unknown>) {
      // Physical goods (every demo product) need a delivery address on their orders; a virtual good would not.
      await db.schema
        .alterTable('products')
        .addColumn('ships', 'boolean', (c) => c.notNull().defaultTo(true))
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.alterTable('products').dropColumn('ships').execute();
    },
  },
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};
