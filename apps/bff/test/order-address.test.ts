/**
 * Delivery addresses on orders: required for physical goods, validated field by field (400, nothing stored)
 * and kept as a snapshot.
 */
import { describe, expect, it } from 'vitest';
import { ApiErrorSchema, OrderListSchema, OrderSchema, type DeliveryAddressInput } from '@wxpay-shop/contract';
import { backends } from './helpers/backends';
import { DELIVERY_ADDRESS as ADDRESS } from './helpers/delivery-address';
import { useStack } from './helpers/stack';

const items = [{ productId: 'green-tea', quantity: 1 }];

describe.each(backends)('delivery address on order creation ($name)', (backend) => {
  const { stack, stockOf } = useStack(backend);

  const sessionCount = async () => (await stack.database.db.selectFrom('sessions').select('id').execute()).length;
  /** A virtual good (ships = false), which no demo product is: an e-card, say. */
  const addVirtualGood = () =>
    stack.database.db
      .insertInto('products')
      .values({
        id: 'e-card',
        name: '电子礼品卡',
        description: '',
        price_fen: 5000,
        image_url: '',
        stock: 100,
        sort_order: 99,
        ships: false,
      })
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();

  const orderCount = async () =>
    Number(
      (
        await stack.database.db
          .selectFrom('orders')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('is kept with the order, trimmed, and shown on the order and in the list', async () => {
    const browser = stack.browser();
    const res = await browser.post('/api/orders', {
      items,
      deliveryAddress: { ...ADDRESS, name: '  张三 ', postalCode: undefined },
    });
    expect(res.status).toBe(201);
    const created = OrderSchema.parse(await res.json());
    const expected = { ...ADDRESS, postalCode: '' };
    expect(created.deliveryAddress).toEqual(expected);
    expect(
      OrderSchema.parse(await (await browser.get(`/api/orders/${created.outTradeNo}`)).json()).deliveryAddress,
    ).toEqual(expected);
    const list = OrderListSchema.parse(await (await browser.get('/api/orders')).json());
    expect(list.orders.find((o) => o.outTradeNo === created.outTradeNo)?.deliveryAddress).toEqual(expected);
    const row = await stack.database.db
      .selectFrom('orders')
      .select('delivery_address')
      .where('out_trade_no', '=', created.outTradeNo)
      .executeTakeFirstOrThrow();
    expect(row.delivery_address).toEqual(expected);
  });

  it('an order of physical goods without one → 400 DELIVERY_ADDRESS_REQUIRED, nothing stored, no session', async () => {
    await addVirtualGood();
    const [before, stockBefore, sessionsBefore] = [
      await orderCount(),
      await stockOf('green-tea'),
      await sessionCount(),
    ];
    for (const [body, productIds] of [
      [{ items }, ['green-tea']],
      [{ items: [...items, { productId: 'e-card', quantity: 1 }] }, ['green-tea']],
      [{ items: [...items, { productId: 'mug', quantity: 1 }], deliveryAddress: undefined }, ['green-tea', 'mug']],
    ] as const) {
      const res = await stack.browser().post('/api/orders', body);
      expect(res.status).toBe(400);
      expect(res.headers.getSetCookie()).toEqual([]);
      const { error } = ApiErrorSchema.parse(await res.json());
      expect(error).toMatchObject({ code: 'DELIVERY_ADDRESS_REQUIRED', message: '请填写收货地址' });
      expect([...(error.details as { productIds: string[] }).productIds].sort()).toEqual(productIds);
    }
    expect(await orderCount()).toBe(before);
    expect(await stockOf('green-tea')).toBe(stockBefore);
    expect(await sessionCount()).toBe(sessionsBefore);
  });

  it('an order of virtual goods only needs none: created with deliveryAddress null', async () => {
    await addVirtualGood();
    const res = await stack.browser().post('/api/orders', { items: [{ productId: 'e-card', quantity: 2 }] });
    expect(res.status).toBe(201);
    const order = OrderSchema.parse(await res.json());
    expect(order).toMatchObject({ totalFen: 10000, deliveryAddress: null });
    expect(await stockOf('e-card')).toBe(98);
  });

  const without = (field: keyof typeof ADDRESS) =>
    Object.fromEntries(Object.entries(ADDRESS).filter(([k]) => k !== field));
  const bad: [string, unknown, string][] = [
    ['a 10-digit mobile', { ...ADDRESS, mobile: '1380013800' }, 'mobile'],
    ['a 12-digit mobile', { ...ADDRESS, mobile: '138001380001' }, 'mobile'],
    ['a mobile not starting with 1', { ...ADDRESS, mobile: '23800138000' }, 'mobile'],
    ['a mobile with dashes', { ...ADDRESS, mobile: '138-0013-8000' }, 'mobile'],
    ['a mobile with +86', { ...ADDRESS, mobile: '+8613800138000' }, 'mobile'],
    ['full-width digits', { ...ADDRESS, mobile: '１３８００１３８０００' }, 'mobile'],
    ['a mobile as a number', { ...ADDRESS, mobile: 13800138000 }, 'mobile'],
    ['a landline', { ...ADDRESS, mobile: '02088888888' }, 'mobile'],
    ['no name', without('name'), 'name'],
    ['a blank name', { ...ADDRESS, name: '   ' }, 'name'],
    ['no mobile', without('mobile'), 'mobile'],
    ['no province', without('province'), 'province'],
    ['no city', without('city'), 'city'],
    ['no detail', without('detail'), 'detail'],
    ['a NUL in the name', { ...ADDRESS, name: '张\u0000三' }, 'name'],
    ['a line break in the detail', { ...ADDRESS, detail: '天河路\n385 号' }, 'detail'],
    ['a C1 control in the city', { ...ADDRESS, city: '广州\u0085市' }, 'city'],
    ['a line separator in the district', { ...ADDRESS, district: '天河\u2028区' }, 'district'],
    ['an escape in the province', { ...ADDRESS, province: '\u001b[31m广东省' }, 'province'],
    ['a 121-character detail', { ...ADDRESS, detail: '路'.repeat(121) }, 'detail'],
    ['a 10 KB name', { ...ADDRESS, name: '名'.repeat(5000) }, 'name'],
    ['a bad postal code', { ...ADDRESS, postalCode: '51062' }, 'postalCode'],
    ['an unknown field', { ...ADDRESS, idCard: '110101199003070000' }, ''],
    ['not an object', '广东省广州市', ''],
  ];

  it.each(bad)('%s → 400 naming the field, nothing stored or reserved', async (_name, deliveryAddress, field) => {
    const [before, stockBefore] = [await orderCount(), await stockOf('green-tea')];
    const res = await stack.browser().post('/api/orders', { items, deliveryAddress });
    expect(res.status).toBe(400);
    const body = ApiErrorSchema.parse(await res.json());
    expect(body.error.code).toBe('BAD_REQUEST');
    const paths = (body.error.details as { path: string }[]).map((d) => d.path);
    expect(paths.some((p) => p === `deliveryAddress${field ? `.${field}` : ''}`)).toBe(true);
    expect(await orderCount()).toBe(before);
    expect(await stockOf('green-tea')).toBe(stockBefore);
  });

  it('a 1 MB field → 413 from the body cap before anything is parsed, nothing stored', async () => {
    const before = await orderCount();
    const deliveryAddress: DeliveryAddressInput = { ...ADDRESS, detail: 'x'.repeat(1024 * 1024) };
    const res = await stack.browser().post('/api/orders', { items, deliveryAddress });
    expect(res.status).toBe(413);
    expect(ApiErrorSchema.parse(await res.json()).error.code).toBe('PAYLOAD_TOO_LARGE');
    expect(await orderCount()).toBe(before);
  });

  it('a district may be empty (cities without one), and is trimmed like the rest', async () => {
    const res = await stack
      .browser()
      .post('/api/orders', { items, deliveryAddress: { ...ADDRESS, city: '东莞市', district: '' } });
    expect(res.status).toBe(201);
    expect(OrderSchema.parse(await res.json()).deliveryAddress).toMatchObject({ city: '东莞市', district: '' });
  });
});
