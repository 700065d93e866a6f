import type { Order } from '@wxpay-shop/contract';
import { flushPromises } from '@vue/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { belongsToTab, formatRemaining, parseYuan, progressLabel } from '../src/lib/order-progress';
import { mockFetch } from './helpers/fetch-mock';
import { order, product } from './helpers/fixtures';
import { mountRoute } from './helpers/mount-view';

const NO = '2026112600000001';

/** Paid, shipped, ¥10.00 of ¥256.00 refunded through an approved 申请退款. */
function shippedPartlyRefunded(): Order {
  const paid = order('PAID', NO);
  return {
    ...paid,
    refundedFen: 1_000,
    fulfilment: 'SHIPPED',
    shipment: { carrier: '顺丰速运', trackingNo: 'SF1234567890', shippedAt: '2026-11-26T11:00:00.000Z' },
    autoReceiveAt: '2026-12-06T11:00:00.000Z',
    refunds: [
      {
        amountFen: 1_000,
        status: 'SUCCESS',
        reason: '拍多了',
        createdAt: '2026-11-26T10:30:00.000Z',
        settledAt: '2026-11-26T10:31:00.000Z',
      },
    ],
    afterSales: [
      {
        id: 7,
        kind: 'REFUND_ONLY',
        status: 'APPROVED',
        amountFen: 1_000,
        reason: '拍多了',
        rejectReason: null,
        createdAt: '2026-11-26T10:20:00.000Z',
        decidedAt: '2026-11-26T10:30:00.000Z',
        refund: {
          amountFen: 1_000,
          status: 'SUCCESS',
          reason: '拍多了',
          createdAt: '2026-11-26T10:30:00.000Z',
          settledAt: '2026-11-26T10:31:00.000Z',
        },
      },
    ],
    timeline: [
      ...paid.timeline,
      { type: 'AFTER_SALE_REQUESTED', at: '2026-11-26T10:20:00.000Z', amountFen: 1_000, detail: '拍多了' },
      { type: 'AFTER_SALE_APPROVED', at: '2026-11-26T10:30:00.000Z', amountFen: 1_000 },
      { type: 'REFUND_STARTED', at: '2026-11-26T10:30:00.000Z', amountFen: 1_000 },
      { type: 'REFUND_SUCCEEDED', at: '2026-11-26T10:31:00.000Z', amountFen: 1_000 },
      { type: 'SHIPPED', at: '2026-11-26T11:00:00.000Z', detail: '顺丰速运 SF1234567890' },
    ],
  };
}

/** Vant's confirm dialog renders outside the view, into the document (one dialog, reused). */
async function confirmDialog(): Promise<void> {
  const visible = () =>
    [...document.querySelectorAll<HTMLElement>('.van-dialog')].find((d) => d.style.display !== 'none');
  await vi.waitFor(() => expect(visible()).toBeDefined());
  visible()!.querySelector<HTMLButtonElement>('.van-dialog__confirm')!.click();
  await flushPromises();
}

afterEach(() => {
  vi.useRealTimers();
});

describe('order detail', () => {
  it('shows a ¥10 refund of a ¥256 order as ¥10, with shipment, breakdown and a Beijing-time timeline', async () => {
    mockFetch({
      [`GET /api/orders/${NO}`]: [{ body: shippedPartlyRefunded() }],
      'GET /api/products': [{ body: { products: [product] } }],
    });
    const { wrapper } = await mountRoute(`/orders/${NO}`);

    expect(wrapper.get('h1').text()).toBe('订单详情');
    expect(wrapper.get('[data-testid="order-progress"]').text()).toBe('已发货');
    expect(wrapper.get('[data-testid="shipment"]').text()).toContain('SF1234567890');
    expect(wrapper.get('[data-testid="refunded"]').text()).toBe('¥10.00');
    expect(wrapper.get('[data-testid="after-sales"]').text()).toMatch(/退款成功\s*¥10\.00/);
    expect(wrapper.text()).toContain('商品金额¥256.00');
    expect(wrapper.text()).toContain('实付款¥256.00');
    expect(wrapper.find(`img[src="${product.imageUrl}"]`).exists()).toBe(true);
    // Newest first; 10:00Z is 18:00 in Beijing.
    const steps = wrapper.findAll('.van-step').map((s) => s.text());
    expect(steps[0]).toContain('商家已发货 顺丰速运 SF1234567890');
    expect(steps.at(-1)).toBe('提交订单2026-11-26 18:00:00');
    // Refunded in part, one request settled: another may be asked for, and receipt confirmed.
    const buttons = wrapper.findAll('button').map((b) => b.text());
    expect(buttons).toEqual(['申请退款', '确认收货']);
  });

  it('shows the delivery address with a masked mobile; an order without one shows none', async () => {
    const address = {
      name: '张三',
      mobile: '13800138000',
      province: '广东省',
      city: '广州市',
      district: '天河区',
      detail: '天河路 385 号',
      postalCode: '510620',
    };
    mockFetch({
      [`GET /api/orders/${NO}`]: [{ body: { ...shippedPartlyRefunded(), deliveryAddress: address } }],
      'GET /api/orders/2026112600000002': [{ body: order('PAID', '2026112600000002') }],
    });
    const { wrapper, router } = await mountRoute(`/orders/${NO}`);
    const shown = wrapper.get('[data-testid="delivery-address"] address');
    expect(shown.text()).toContain('张三 138****8000');
    expect(shown.text()).toContain('广东省广州市天河区天河路 385 号');
    expect(shown.text()).not.toContain('13800138000');

    await router.push('/orders/2026112600000002');
    await vi.waitFor(() => expect(wrapper.get('[data-testid="order-no"]').text()).toBe('2026112600000002'));
    expect(wrapper.find('[data-testid="delivery-address"]').exists()).toBe(false);
  });

  it('确认收货 asks first, then shows the order as 已完成', async () => {
    const received: Order = {
      ...shippedPartlyRefunded(),
      fulfilment: 'RECEIVED',
      receivedAt: '2026-11-27T00:00:00.000Z',
      autoReceiveAt: null,
    };
    const { calls } = mockFetch({
      [`GET /api/orders/${NO}`]: [{ body: shippedPartlyRefunded() }],
      [`POST /api/orders/${NO}/confirm-receipt`]: [{ body: received }],
    });
    const { wrapper } = await mountRoute(`/orders/${NO}`);
    await wrapper
      .findAll('button')
      .find((b) => b.text() === '确认收货')!
      .trigger('click');
    await confirmDialog();
    await vi.waitFor(() => expect(wrapper.get('[data-testid="order-progress"]').text()).toBe('已完成'));
    expect(calls.filter((c) => c.method === 'POST').map((c) => c.path)).toEqual([`/api/orders/${NO}/confirm-receipt`]);
    expect(wrapper.findAll('button').map((b) => b.text())).not.toContain('确认收货');
  });

  it('an unpaid order counts down 剩余 mm:ss 自动关闭 and can be cancelled', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime('2026-11-26T11:50:00Z'); // the fixture expires at 12:00Z
    const { calls } = mockFetch({
      [`GET /api/orders/${NO}`]: [{ body: order('PENDING', NO) }],
      [`POST /api/orders/${NO}/cancel`]: [
        { body: { ...order('CLOSED', NO), timeline: [{ type: 'CANCELLED', at: '2026-11-26T11:50:00.000Z' }] } },
      ],
    });
    const { wrapper } = await mountRoute(`/orders/${NO}`);
    expect(wrapper.get('.order-detail__status').text()).toMatch(/剩余\s*10:00\s*自动关闭/);
    expect(wrapper.get(`a[href="/orders/${NO}/pay"]`).text()).toBe('去支付');

    await wrapper
      .findAll('button')
      .find((b) => b.text() === '取消订单')!
      .trigger('click');
    await confirmDialog();
    await vi.waitFor(() => expect(wrapper.get('[data-testid="order-progress"]').text()).toBe('已关闭'));
    expect(calls.some((c) => c.method === 'POST' && c.path === `/api/orders/${NO}/cancel`)).toBe(true);
    expect(wrapper.find(`a[href="/orders/${NO}/pay"]`).exists()).toBe(false);
  });

  it('申请退款 refuses more than is left before asking, then sends the amount in fen and shows it waiting', async () => {
    const paid = order('PAID', NO);
    const waiting: Order = {
      ...paid,
      afterSales: [
        {
          id: 8,
          kind: 'REFUND_ONLY',
          status: 'PENDING',
          amountFen: 1_000,
          reason: '拍多了',
          rejectReason: null,
          createdAt: paid.createdAt,
          decidedAt: null,
          refund: null,
        },
      ],
    };
    const { calls } = mockFetch({
      [`GET /api/orders/${NO}`]: [{ body: paid }],
      [`POST /api/orders/${NO}/after-sales`]: [{ status: 201, body: waiting }],
    });
    const { wrapper } = await mountRoute(`/orders/${NO}`);
    await wrapper
      .findAll('button')
      .find((b) => b.text() === '申请退款')!
      .trigger('click');
    await flushPromises();
    const form = () => document.querySelector('.refund-form') as HTMLFormElement;
    const input = (name: string, value: string) => {
      const el = form().querySelector(`input[name="${name}"]`) as HTMLInputElement;
      el.value = value;
      el.dispatchEvent(new Event('input'));
    };
    expect((form().querySelector('input[name="amount"]') as HTMLInputElement).value).toBe('256.00');
    input('amount', '256.01');
    input('reason', '拍多了');
    form().dispatchEvent(new Event('submit'));
    await flushPromises();
    expect(form().textContent).toContain('请输入 ¥0.01 到 ¥256.00 之间的金额');
    expect(calls.some((c) => c.method === 'POST')).toBe(false);

    input('amount', '10');
    form().dispatchEvent(new Event('submit'));
    await flushPromises();
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({
      kind: 'REFUND_ONLY',
      amountFen: 1_000,
      reason: '拍多了',
    });
    await vi.waitFor(() => expect(wrapper.get('[data-testid="order-progress"]').text()).toBe('退款申请中'));
    expect(wrapper.get('[data-testid="after-sales"]').text()).toMatch(/等待商家处理\s*¥10\.00/);
    expect(wrapper.findAll('button').map((b) => b.text())).not.toContain('申请退款');
  });
});

describe('order progress wording', () => {
  it('files orders under the 我的订单 tabs by both axes', () => {
    const shipped = shippedPartlyRefunded();
    expect(belongsToTab(order('PENDING'), 'unpaid')).toBe(true);
    expect(belongsToTab(order('PAID'), 'to-ship')).toBe(true);
    expect(belongsToTab(shipped, 'to-receive')).toBe(true);
    expect(belongsToTab(shipped, 'after-sale')).toBe(true);
    expect(belongsToTab(order('PAID'), 'after-sale')).toBe(false);
    expect(belongsToTab(order('CLOSED'), 'unpaid')).toBe(false);
    expect(progressLabel({ ...order('REFUNDED'), fulfilment: 'SHIPPED' })).toBe('已退款');
  });

  it('counts down in mm:ss and reads yuan as fen exactly', () => {
    expect(formatRemaining('2026-11-26T12:00:00Z', Date.parse('2026-11-26T11:30:01Z'))).toBe('29:59');
    expect(formatRemaining('2026-11-26T12:00:00Z', Date.parse('2026-11-26T12:00:01Z'))).toBe('00:00');
    expect(parseYuan('0.1')).toBe(10);
    expect(parseYuan('69.70')).toBe(6_970);
    expect(parseYuan('1.005')).toBeUndefined();
    expect(parseYuan('-1')).toBeUndefined();
  });
});
