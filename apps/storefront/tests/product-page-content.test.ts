/** The product page beyond name and price: the gallery, 商品参数, 服务 notes and the 客服 entry. */
import { flushPromises } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import { serviceNotes } from '../src/lib/service-notes';
import { useShopStore } from '../src/stores/shop';
import ProductView from '../src/views/ProductView.vue';
import { mockFetch } from './helpers/fetch-mock';
import { product } from './helpers/fixtures';
import { mountView } from './helpers/mount-view';

async function mountProduct(body = product) {
  mockFetch({ [`GET /api/products/${body.id}`]: [{ body }] });
  return (await mountView(ProductView, { path: `/products/${body.id}`, props: { id: body.id } })).wrapper;
}

/** A definition list as [term, description] pairs. */
function pairs(dl: { findAll: (s: string) => { text: () => string }[] }): [string, string][] {
  const terms = dl.findAll('dt').map((dt) => dt.text());
  const values = dl.findAll('dd').map((dd) => dd.text());
  return terms.map((term, i) => [term, values[i]!]);
}

describe('the product page', () => {
  it('shows every gallery picture in order at 4:3, each named for screen readers, the main one first', async () => {
    const wrapper = await mountProduct();
    const images = wrapper.findAll('.product-gallery img');
    expect(images.map((img) => img.attributes('src'))).toEqual(product.gallery);
    expect(images.map((img) => img.attributes('alt'))).toEqual([
      `${product.name}（第 1 张，共 2 张）`,
      `${product.name}（第 2 张，共 2 张）`,
    ]);
    expect(images.map((img) => [img.attributes('width'), img.attributes('height')])).toEqual([
      ['480', '360'],
      ['480', '360'],
    ]);
    // Only the first picture is needed before the shopper swipes.
    expect(images.map((img) => img.attributes('loading'))).toEqual(['eager', 'lazy']);
  });

  it('a single picture is named by the product alone', async () => {
    const wrapper = await mountProduct({ ...product, gallery: [product.imageUrl] });
    expect(wrapper.findAll('.product-gallery img').map((img) => img.attributes('alt'))).toEqual([product.name]);
  });

  it('lists the details (商品参数) as the BFF gives them', async () => {
    const wrapper = await mountProduct();
    expect(pairs(wrapper.get('[data-testid="product-details"]'))).toEqual(
      product.details.map((d) => [d.label, d.value]),
    );
  });

  it('服务: 包邮, 48 小时内发货, and 七天无理由退货 only where the product allows it', async () => {
    const noReturns = await mountProduct({ ...product, sevenDayReturns: false });
    expect(pairs(noReturns.get('[data-testid="service-notes"]'))).toEqual([
      ['运费', '全场包邮'],
      ['发货', '付款后 48 小时内发货'],
      ['退货', '不支持七天无理由退货'],
    ]);
    const returns = await mountProduct({ ...product, sevenDayReturns: true });
    expect(pairs(returns.get('[data-testid="service-notes"]')).at(-1)).toEqual(['退货', '支持七天无理由退货']);
  });

  it('客服 opens (aria-expanded) the shop’s number to call and the way to after-sales', async () => {
    const wrapper = await mountProduct();
    useShopStore().servicePhone = '400-000-0000';
    const contact = wrapper.get('button[aria-controls="product-contact"]');
    expect([contact.text(), contact.attributes('aria-expanded')]).toEqual(['客服联系客服 ›', 'false']);
    // v-show: the panel aria-controls names is always there, hidden until opened.
    expect(wrapper.get('#product-contact').attributes('style')).toContain('display: none');
    await contact.trigger('click');
    await flushPromises();
    expect(contact.attributes('aria-expanded')).toBe('true');
    const panel = wrapper.get('#product-contact');
    expect(panel.attributes('style') ?? '').not.toContain('display: none');
    const call = panel.get('a[href^="tel:"]');
    expect([call.attributes('href'), call.text()]).toEqual(['tel:4000000000', '400-000-0000']);
    expect(panel.get('a[href="/orders"]').text()).toBe('我的订单');
  });

  it('客服 without a configured number still shows the after-sales way, and no tel: link', async () => {
    const wrapper = await mountProduct();
    await wrapper.get('button[aria-controls="product-contact"]').trigger('click');
    await flushPromises();
    expect(wrapper.find('a[href^="tel:"]').exists()).toBe(false);
    expect(wrapper.get('#product-contact').text()).toContain('申请售后');
  });
});

describe('serviceNotes', () => {
  it('marks a product without 七天无理由退货 as a limit, not a benefit', () => {
    expect(
      serviceNotes({ sevenDayReturns: false })
        .filter((n) => n.limited)
        .map((n) => n.text),
    ).toEqual(['不支持七天无理由退货']);
    expect(serviceNotes({ sevenDayReturns: true }).some((n) => n.limited)).toBe(false);
  });
});
