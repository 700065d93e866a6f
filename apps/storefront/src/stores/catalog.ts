import type { Product } from '@wxpay-shop/contract';
import { defineStore } from 'pinia';
import { computed, shallowRef } from 'vue';
import { fetchProducts } from '../api/products';

/** The product list from the BFF, shared by the catalog, cart and checkout screens. */
export const useCatalogStore = defineStore('catalog', () => {
  const products = shallowRef<Product[]>([]);
  const loaded = shallowRef(false);
  const loading = shallowRef(false);
  const error = shallowRef<unknown>();
  let pending: Promise<void> | undefined;
  /** A load started at boot that no view has taken yet (see prefetch). */
  let prefetched: Promise<void> | undefined;

  const byId = computed(() => new Map(products.value.map((product) => [product.id, product])));

  /**
   * Starts loading before any view asks (at boot, beside `/api/me`). The next `load()` takes this
   * answer, even if it already arrived, instead of asking again; later ones refetch as usual.
   */
  function prefetch(): void {
    prefetched = load();
  }

  /** (Re)fetches the list, since prices and stock may have changed; concurrent calls share one request. */
  function load(): Promise<void> {
    const early = prefetched;
    prefetched = undefined;
    if (early) return early;
    if (pending) return pending;
    loading.value = true;
    error.value = undefined;
    pending = fetchProducts()
      .then((list) => {
        products.value = list;
        loaded.value = true;
      })
      .catch((caught: unknown) => {
        error.value = caught;
      })
      .finally(() => {
        loading.value = false;
        pending = undefined;
      });
    return pending;
  }

  return { products, loaded, loading, error, byId, load, prefetch };
});
