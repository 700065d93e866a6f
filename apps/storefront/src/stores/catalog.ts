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

  const byId = computed(() => new Map(products.value.map((product) => [product.id, product])));

  /** (Re)fetches the list, since prices and stock may have changed; concurrent calls share one request. */
  function load(): Promise<void> {
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

  return { products, loaded, loading, error, byId, load };
});
