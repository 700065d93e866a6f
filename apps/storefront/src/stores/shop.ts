/** The shop's one name (the BFF's SHOP_NAME), for the header and the page title. */
import { routes, ShopSchema } from '@wxpay-shop/contract';
import { defineStore } from 'pinia';
import { shallowRef } from 'vue';
import { apiRequest } from '../api/http';
import { DEFAULT_SHOP_NAME, setShopName } from '../lib/shop-name';

export const useShopStore = defineStore('shop', () => {
  const name = shallowRef(DEFAULT_SHOP_NAME);

  /** Asks the BFF once per page load; until it answers (or if it cannot) the default name stands. */
  async function load(): Promise<void> {
    try {
      const shop = await apiRequest(routes.shop, ShopSchema);
      name.value = shop.name;
      setShopName(shop.name);
    } catch {
      // The name is decoration: a failure here must not show an error over the page.
    }
  }

  return { name, load };
});
