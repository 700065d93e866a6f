/** Starts the storefront, asking for what the first page shows beside the session rather than after it. */
import { createApp } from 'vue';
import { createPinia } from 'pinia';
import type { RouterHistory } from 'vue-router';
import App from './App.vue';
import { createAppRouter } from './router';
import { useCatalogStore } from './stores/catalog';

/** Pages whose view loads the product list as it mounts (the catalog itself, the cart, orders). */
const CATALOG_PAGES = new Set(['catalog', 'cart', 'checkout', 'orders', 'order-detail']);

/**
 * Mounts the app on `container`. The product list does not depend on who the shopper is, so on a page
 * that shows it the request starts now, beside App's `/api/me`, instead of once the session is known
 * and the view has mounted (one round trip less before the cards paint on a slow phone network).
 */
export function startApp(container: string | Element, history?: RouterHistory) {
  const pinia = createPinia();
  const router = createAppRouter(history);
  const firstPage = router.resolve(`${location.pathname}${location.search}`);
  if (typeof firstPage.name === 'string' && CATALOG_PAGES.has(firstPage.name)) useCatalogStore(pinia).prefetch();
  const app = createApp(App).use(pinia).use(router);
  app.mount(container);
  return { app, router };
}
