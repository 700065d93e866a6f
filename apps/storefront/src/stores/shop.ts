/** The shop's one name (the BFF's SHOP_NAME), for the header and the page title, and its 客服 number if any. */
import { routes } from '@wxpay-shop/contract';
import { defineStore } from 'pinia';
import { shallowRef } from 'vue';
import { shopAnswer } from '../api/first-page-answers';
import { apiRequest } from '../api/http';
import { DEFAULT_SHOP_NAME, setShopName } from '../lib/shop-name';

export const useShopStore = defineStore('shop', () => {
  const name = shallowRef(DEFAULT_SHOP_NAME);
  const servicePhone = shallowRef<string | null>(null);

  /** Asks the BFF once per page load; until it answers (or if it cannot) the default name stands. */
  async function load(): Promise<void> {
    try {
      const shop = await apiRequest(routes.shop, shopAnswer);
      name.value = shop.name;
      servicePhone.value = shop.servicePhone ?? null;
      setShopName(shop.name);
    } catch {
      // The name is decoration: a failure here must not show an error over the page.
    }
  }

  return { name, servicePhone, load };
});
