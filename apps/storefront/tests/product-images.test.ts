import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeEach, describe, expect, it } from 'vitest';
import { CART_STORAGE_KEY } from '../src/stores/cart';
import { mockFetch } from './helpers/fetch-mock';
import { product } from './helpers/fixtures';
import { mountRoute } from './helpers/mount-view';

const css = readFileSync(
  path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../src/styles/base.css'),
  'utf8',
).replace(/\/\*[\s\S]*?\*\//g, '');

/** The aspect-ratio base.css gives `selector` (in any rule listing it; the last one wins), cropping to it. */
function cssAspectRatio(selector: string): number {
  const declarations = [...css.matchAll(/([^{}]+)\{([^}]*)\}/g)]
    .filter(([, selectors]) => selectors!.split(',').some((s) => s.trim() === selector))
    .map(([, , body]) => body)
    .join(';');
  const ratios = [...declarations.matchAll(/aspect-ratio:\s*(\d+)\s*\/\s*(\d+)/g)];
  const last = ratios.at(-1);
  if (!last) throw new Error(`no aspect-ratio for ${selector} in base.css`);
  expect(declarations).toMatch(/object-fit:\s*cover/);
  return Number(last[1]) / Number(last[2]);
}

beforeEach(() => {
  localStorage.clear();
  localStorage.setItem(CART_STORAGE_KEY, JSON.stringify([{ productId: product.id, quantity: 1 }]));
});

// Product images are 4:3 (the seed draws 480×360). The img's width/height let the browser
// reserve its box before the image loads, so they must have the ratio the CSS shows it at.
describe.each([
  { page: 'catalog card', route: '/', selector: '.product-card__image' },
  { page: 'product page', route: `/products/${product.id}`, selector: '.product-detail__image' },
  { page: 'cart thumbnail', route: '/cart', selector: '.line__image' },
])('the $page image', ({ route, selector }) => {
  it('is shown at 4:3, the ratio its width and height attributes reserve', async () => {
    mockFetch({
      'GET /api/products': [{ body: { products: [product] } }],
      [`GET /api/products/${product.id}`]: [{ body: product }],
    });
    const { wrapper } = await mountRoute(route);
    const img = wrapper.get(`img${selector}`);
    expect(img.attributes('src')).toBe(product.imageUrl);
    const reserved = Number(img.attributes('width')) / Number(img.attributes('height'));
    expect(reserved).toBe(4 / 3);
    expect(cssAspectRatio(selector)).toBe(reserved);
  });
});
