/**
 * The operator console's API: accounts and roles, its own session cookie, CSRF, slowed password guessing,
 * the order list's keyset paging, and an audit entry for every change.
 */
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { addOperator } from '../src/operators/accounts';
import { backends } from './helpers/backends';
import type { Browser } from './helpers/browser';
import { createOrder, paidOrder, signIn, useStack } from './helpers/stack';

const PASSWORD = 'correct horse battery';

describe.each(backends)('operator console API ($name)', (backend) => {
  // An operator may refund at most ¥10 at a time here.
  const { stack, db, orderRow } = useStack(backend, { OPERATOR_REFUND_LIMIT_FEN: '1000' });
  let accounts: Promise<void> | undefined;
  const ensureAccounts = () =>
    (accounts ??= (async () => {
      for (const role of ['viewer', 'operator', 'admin']) await addOperator(db(), `${role}1`, PASSWORD, role);
      await addOperator(db(), 'guessed', PASSWORD, 'viewer');
    })());

  async function operatorSession(name: string): Promise<{ browser: Browser; csrf: string }> {
    await ensureAccounts();
    const browser = stack.browser();
    const res = await browser.post('/api/operator/sign-in', { name, password: PASSWORD });
    expect(res.status, await res.clone().text()).toBe(200);
    return { browser, csrf: ((await res.json()) as { csrfToken: string }).csrfToken };
  }

  const auditOf = (target: string) =>
    db().selectFrom('audit_log').selectAll().where('target', '=', target).orderBy('id').execute();

  it('signs in with its own cookie: HttpOnly, SameSite=Strict, apart from the shopper session', async () => {
    await ensureAccounts();
    const res = await stack.browser().post('/api/operator/sign-in', { name: 'viewer1', password: PASSWORD });
    expect(res.status).toBe(200);
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('wxpay_op='))!;
    expect(cookie).toMatch(/httponly/i);
    expect(cookie).toMatch(/samesite=strict/i);
    expect(cookie).toMatch(/max-age=28800|expires=/i);
    expect(res.headers.getSetCookie().some((c) => c.startsWith('wxshop.sid'))).toBe(false);
    expect(await res.json()).toMatchObject({ name: 'viewer1', role: 'viewer', csrfToken: expect.any(String) });
    expect(
      JSON.stringify(
        await db().selectFrom('operators').select('password_hash').where('name', '=', 'viewer1').execute(),
      ),
    ).toMatch(/^\[\{"password_hash":"scrypt\$/);
  });

  it('a shopper session or a viewer cannot refund; a write without the CSRF token is refused', async () => {
    const { order, browser: shopper } = await paidOrder(stack);
    await signIn(stack, shopper);
    expect((await shopper.post(`/api/operator/orders/${order.outTradeNo}/refund`, {})).status).toBe(401);
    const viewer = await operatorSession('viewer1');
    expect((await viewer.browser.get(`/api/operator/orders/${order.outTradeNo}`)).status).toBe(200);
    expect(
      (
        await viewer.browser.post(
          `/api/operator/orders/${order.outTradeNo}/refund`,
          {},
          { 'X-CSRF-Token': viewer.csrf },
        )
      ).status,
    ).toBe(403);
    const op = await operatorSession('operator1');
    expect((await op.browser.post(`/api/operator/orders/${order.outTradeNo}/refund`, { amountFen: 100 })).status).toBe(
      403,
    );
    expect(
      (
        await op.browser.post(
          `/api/operator/orders/${order.outTradeNo}/refund`,
          { amountFen: 100 },
          { 'X-CSRF-Token': 'x' },
        )
      ).status,
    ).toBe(403);
    expect((await orderRow(order.outTradeNo)).status).toBe('PAID');
    expect(await auditOf(`order:${order.outTradeNo}`)).toEqual([]);
  });

  it('an operator refunds up to the role limit, not beyond; the refund is audited with before/after', async () => {
    const { order } = await paidOrder(stack);
    const op = await operatorSession('operator1');
    const tooMuch = await op.browser.post(
      `/api/operator/orders/${order.outTradeNo}/refund`,
      { amountFen: 1001 },
      { 'X-CSRF-Token': op.csrf },
    );
    expect(tooMuch.status).toBe(403);
    const ok = await op.browser.post(
      `/api/operator/orders/${order.outTradeNo}/refund`,
      { amountFen: 1000 },
      { 'X-CSRF-Token': op.csrf },
    );
    expect(ok.status, await ok.clone().text()).toBe(202);
    const [entry] = await auditOf(`order:${order.outTradeNo}`);
    expect(entry).toMatchObject({
      actor: 'operator:operator1',
      action: 'order.refund',
      before: { status: 'PAID', refundedFen: 0 },
      after: { status: 'REFUNDING', amountFen: 1000 },
    });
    expect(entry!.at).toBeInstanceOf(Date);
  });

  it('resolving a flag needs a note and is audited; the audit log cannot be edited or deleted', async () => {
    const order = await createOrder(stack.browser());
    await db()
      .updateTable('orders')
      .set({ needs_attention: true, attention_reason: 'bill 2026-10-01: PAID_HERE_ONLY' })
      .where('out_trade_no', '=', order.outTradeNo)
      .execute();
    const op = await operatorSession('operator1');
    const path = `/api/operator/orders/${order.outTradeNo}/resolve`;
    expect((await op.browser.post(path, { note: ' ' }, { 'X-CSRF-Token': op.csrf })).status).toBe(400);
    expect(
      (await op.browser.post(path, { note: 'refunded by hand in the merchant console' }, { 'X-CSRF-Token': op.csrf }))
        .status,
    ).toBe(200);
    expect(await orderRow(order.outTradeNo)).toMatchObject({ needs_attention: false, attention_reason: null });
    const entries = await auditOf(`order:${order.outTradeNo}`);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      actor: 'operator:operator1',
      action: 'order.resolve-attention',
      before: { needsAttention: true, attentionReason: 'bill 2026-10-01: PAID_HERE_ONLY' },
      after: { needsAttention: false, note: 'refunded by hand in the merchant console' },
    });
    await expect(sql`update audit_log set actor = 'someone else'`.execute(db())).rejects.toThrow(/append-only/);
    await expect(sql`delete from audit_log`.execute(db())).rejects.toThrow(/append-only/);
    const viewer = await operatorSession('viewer1');
    const log = (await (await viewer.browser.get('/api/operator/audit?limit=5')).json()) as {
      entries: { action: string }[];
    };
    expect(log.entries.map((e) => e.action)).toContain('order.resolve-attention');
  });

  it('an operator re-runs a bill day, audited; a viewer may only read it', async () => {
    const viewer = await operatorSession('viewer1');
    expect(
      (
        await viewer.browser.post('/api/operator/bills/2026-09-01/reconcile', undefined, {
          'X-CSRF-Token': viewer.csrf,
        })
      ).status,
    ).toBe(403);
    const op = await operatorSession('operator1');
    const res = await op.browser.post('/api/operator/bills/2026-09-01/reconcile', undefined, {
      'X-CSRF-Token': op.csrf,
    });
    expect(res.status).toBe(200);
    expect(await auditOf('bill:2026-09-01')).toMatchObject([
      { actor: 'operator:operator1', action: 'bill.reconcile', before: null, after: { status: 'NO_BILL' } },
    ]);
    expect((await viewer.browser.get('/api/operator/bills/2026-09-01')).status).toBe(200);
  });

  it('lists orders newest first with keyset paging and filters, and exports them as CSV', async () => {
    const made = [];
    for (let i = 0; i < 3; i++) made.push((await createOrder(stack.browser())).outTradeNo);
    const viewer = await operatorSession('viewer1');
    const page = async (query: string) =>
      (await (await viewer.browser.get(`/api/operator/orders?${query}`)).json()) as {
        orders: { outTradeNo: string }[];
        nextCursor: string | null;
      };
    const first = await page('status=PENDING&limit=2');
    expect(first.orders).toHaveLength(2);
    const second = await page(`status=PENDING&limit=2&cursor=${first.nextCursor!}`);
    const seen = [...first.orders, ...second.orders].map((o) => o.outTradeNo);
    expect(new Set(seen).size).toBe(seen.length);
    expect(first.orders.map((o) => o.outTradeNo)).toEqual([made[2], made[1]]);
    expect(seen).toContain(made[0]);
    expect((await page(`q=${made[1]}`)).orders.map((o) => o.outTradeNo)).toEqual([made[1]]);
    expect((await viewer.browser.get('/api/operator/orders?status=NOPE')).status).toBe(400);
    const csv = await viewer.browser.get(`/api/operator/orders.csv?q=${made[0]}`);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    expect((await csv.text()).split('\r\n')[1]).toContain(made[0]);
  });

  it('ships, approves and rejects 申请退款 through the lifecycle; a viewer may not; each is audited', async () => {
    const op = await operatorSession('operator1');
    const viewer = await operatorSession('viewer1');
    const shipped = await paidOrder(stack);
    const ship = (session: { browser: Browser; csrf: string }) =>
      session.browser.post(
        `/api/operator/orders/${shipped.order.outTradeNo}/ship`,
        { carrier: '顺丰', trackingNo: 'SF1234567890' },
        { 'X-CSRF-Token': session.csrf },
      );
    expect((await ship(viewer)).status).toBe(403);
    expect((await ship(op)).status).toBe(200);
    expect(await orderRow(shipped.order.outTradeNo)).toMatchObject({ fulfilment: 'SHIPPED', carrier: '顺丰' });

    const requestRefund = async () => {
      const { browser, order } = await paidOrder(stack);
      const res = await browser.post(`/api/orders/${order.outTradeNo}/after-sales`, {
        reason: '拍多了',
        amountFen: 500,
      });
      expect(res.status).toBe(201);
      const id = ((await res.json()) as { afterSales: { id: number }[] }).afterSales[0]!.id;
      return { order, id };
    };
    const approved = await requestRefund();
    expect(
      (
        await viewer.browser.post(`/api/operator/after-sales/${approved.id}/approve`, undefined, {
          'X-CSRF-Token': viewer.csrf,
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await op.browser.post(`/api/operator/after-sales/${approved.id}/approve`, undefined, {
          'X-CSRF-Token': op.csrf,
        })
      ).status,
    ).toBe(202);
    const rejected = await requestRefund();
    const reject = await op.browser.post(
      `/api/operator/after-sales/${rejected.id}/reject`,
      { reason: '商品已拆封' },
      { 'X-CSRF-Token': op.csrf },
    );
    expect(reject.status).toBe(200);

    expect((await auditOf(`order:${shipped.order.outTradeNo}`)).map((e) => e.action)).toEqual(['order.ship']);
    expect(await auditOf(`order:${approved.order.outTradeNo}`)).toMatchObject([
      {
        action: 'after-sale.approve',
        actor: 'operator:operator1',
        after: { afterSaleStatus: 'APPROVED', amountFen: 500 },
      },
    ]);
    expect(await auditOf(`order:${rejected.order.outTradeNo}`)).toMatchObject([
      { action: 'after-sale.reject', after: { status: 'REJECTED', reason: '商品已拆封' } },
    ]);
  });

  it('the dashboard lists paid amounts for each of the last 30 Beijing days, 0 on a day without payments', async () => {
    const { order } = await paidOrder(stack);
    const back = await paidOrder(stack);
    await db()
      .updateTable('orders')
      .set({ paid_at: sql<Date>`now() - interval '10 days'` })
      .where('out_trade_no', '=', back.order.outTradeNo)
      .execute();
    const viewer = await operatorSession('viewer1');
    const dashboard = (await (await viewer.browser.get('/api/operator/dashboard')).json()) as {
      day: string;
      paidPerDay: { day: string; paidFen: number }[];
    };
    const days = dashboard.paidPerDay.map((d) => d.day);
    expect(days).toHaveLength(30);
    expect(days.at(-1)).toBe(dashboard.day);
    for (let i = 1; i < days.length; i++) {
      expect(Date.parse(`${days[i]}T00:00:00Z`) - Date.parse(`${days[i - 1]}T00:00:00Z`)).toBe(24 * 3600_000);
    }
    expect(dashboard.paidPerDay.at(-1)!.paidFen).toBeGreaterThanOrEqual(order.totalFen);
    expect(dashboard.paidPerDay[19]).toEqual({ day: days[19], paidFen: back.order.totalFen });
    expect(dashboard.paidPerDay[18]!.paidFen).toBe(0);
  });

  it('five wrong passwords slow the account down: the sixth try is refused, even with the right password', async () => {
    await ensureAccounts();
    const browser = stack.browser();
    for (let i = 0; i < 5; i++) {
      expect((await browser.post('/api/operator/sign-in', { name: 'guessed', password: `wrong-${i}` })).status).toBe(
        401,
      );
    }
    const blocked = await browser.post('/api/operator/sign-in', { name: 'guessed', password: PASSWORD });
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    const logs = await db().selectFrom('audit_log').select('action').where('target', '=', 'operator:guessed').execute();
    expect(logs).toEqual([]);
  });
});
