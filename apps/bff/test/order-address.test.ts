/** Delivery addresses on orders: validated field by field (400, nothing stored) and kept as a snapshot. */
import { describe, expect, it } from 'vitest';
import { ApiErrorSchema, OrderListSchema, OrderSchema, type DeliveryAddressInput } from '@wxpay-shop/contract';
import { backends } from './helpers/backends';
import { useStack } from './helpers/stack';

const ADDRESS = {
  name: '张三',
  mobile: '13800138000',
  province: '广东省',
  city: '广州市',
  district: '天河区',
  detail: '天河路 385 号 太古汇 1 座 2001 室',
  postalCode: '510620',
};
const items = [{ productId: 'green-tea', quantity: 1 }];

describe.each(backends)('delivery address on order creation ($name)', (backend) => {
  const { stack, stockOf } = useStack(backend);

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

  it('an order without one is still accepted (the storefront does not send one yet): deliveryAddress null', async () => {
    const res = await stack.browser().post('/api/orders', { items });
    expect(res.status).toBe(201);
    expect(OrderSchema.parse(await res.json()).deliveryAddress).toBeNull();
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
