import type { Product } from '@wxpay-shop/contract';
import { computed } from 'vue';
import { useCartStore, type CartLine } from '../stores/cart';
import { useCatalogStore } from '../stores/catalog';

export interface CartDetailLine {
  productId: string;
  quantity: number;
  /** Undefined when the BFF no longer lists the product. */
  product: Product | undefined;
  subtotalFen: number;
  problem: '商品已下架' | '已售罄' | '库存不足' | undefined;
}

/** Sold out or no longer listed: set aside under 失效商品 instead of blocking the rest of the cart. */
export function isSetAside(line: Pick<CartDetailLine, 'problem'>): boolean {
  return line.problem === '已售罄' || line.problem === '商品已下架';
}

/**
 * Cart lines (or `source`'s, e.g. a 立即购买 item) priced with the BFF's current product data, which it (re)loads. The total is
 * for display only; the BFF prices the order itself from product ids and quantities.
 */
export function useCartDetails(source?: () => CartLine[]) {
  const cart = useCartStore();
  const catalog = useCatalogStore();
  void catalog.load();

  const lines = computed<CartDetailLine[]>(() =>
    (source ? source() : cart.lines).map(({ productId, quantity }) => {
      const product = catalog.byId.get(productId);
      let problem: CartDetailLine['problem'];
      if (!product) problem = '商品已下架';
      else if (product.stock === 0) problem = '已售罄';
      else if (product.stock < quantity) problem = '库存不足';
      return { productId, quantity, product, subtotalFen: product ? product.priceFen * quantity : 0, problem };
    }),
  );
  // Only what can be bought: a marked line (sold out, gone, short of stock) is not in the total,
  // and the views say so next to it.
  const totalFen = computed(() => lines.value.reduce((sum, line) => (line.problem ? sum : sum + line.subtotalFen), 0));
  const hasProblems = computed(() => lines.value.some((line) => line.problem !== undefined));

  return { cart, lines, totalFen, hasProblems };
}
