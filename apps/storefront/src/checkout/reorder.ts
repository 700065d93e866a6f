import type { OrderItem } from '@wxpay-shop/contract';
import { useRouter } from 'vue-router';
import { useCartStore } from '../stores/cart';

/**
 * 重新下单 for an order that can no longer be paid: the checkout emptied the cart, so its items go
 * back in with the order's quantities (replacing any the cart holds), and the shopper lands on the
 * cart to check stock and prices before ordering again.
 */
export function useReorder() {
  const cart = useCartStore();
  const router = useRouter();
  return (items: readonly OrderItem[]): Promise<unknown> => {
    for (const { productId, quantity } of items) {
      if (cart.quantityOf(productId) > 0) cart.setQuantity(productId, quantity);
      else cart.add(productId, quantity);
    }
    return router.push({ name: 'cart' });
  };
}
