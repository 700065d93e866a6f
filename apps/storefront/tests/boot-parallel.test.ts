import { flushPromises } from '@vue/test-utils';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { App } from 'vue';
import { createMemoryHistory } from 'vue-router';
import { startApp } from '../src/boot';
import { gate, mockFetch } from './helpers/fetch-mock';
import { product } from './helpers/fixtures';

let mounted: App | undefined;
let container: HTMLElement;

beforeEach(() => {
  sessionStorage.clear();
  container = document.createElement('div');
  document.body.append(container);
});

afterEach(() => {
  mounted?.unmount();
  mounted = undefined;
  container.remove();
});

async function boot(path: string) {
  history.replaceState(null, '', path);
  const memory = createMemoryHistory();
  memory.replace(path);
  const { app, router } = startApp(container, memory);
  mounted = app;
  await router.isReady();
  await flushPromises();
}

describe('boot', () => {
  it('asks for the catalog beside /api/me: both in flight before either answers, and once', async () => {
    const meAnswer = gate();
    const productsAnswer = gate();
    const { calls } = mockFetch({
      'GET /api/me': [{ body: { signedIn: false }, until: meAnswer.promise }],
      'GET /api/products': [{ body: { products: [product] }, until: productsAnswer.promise }],
      'GET /api/shop': [{ body: { name: '小店' } }],
    });

    await boot('/');
    expect(calls.map((call) => call.path)).toEqual(expect.arrayContaining(['/api/me', '/api/products']));

    meAnswer.open();
    productsAnswer.open();
    await flushPromises();
    await vi.waitFor(() => expect(container.textContent).toContain(product.name));
    expect(calls.filter((call) => call.path === '/api/products')).toHaveLength(1);
    expect(calls.filter((call) => call.path === '/api/me')).toHaveLength(1);
  });

  it('a product page asks for its product only, not the whole list', async () => {
    const { calls } = mockFetch({
      'GET /api/me': [{ body: { signedIn: false } }],
      [`GET /api/products/${product.id}`]: [{ body: product }],
      'GET /api/shop': [{ body: { name: '小店' } }],
    });

    await boot(`/products/${product.id}`);
    await vi.waitFor(() => expect(container.textContent).toContain(product.name));
    expect(calls.map((call) => call.path)).not.toContain('/api/products');
  });
});
