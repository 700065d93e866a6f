import { defineStore } from 'pinia';
import { computed, ref } from 'vue';

export interface CartLine {
  productId: string;
  quantity: number;
}

export const CART_STORAGE_KEY = 'wxpay-shop:cart:v1';
/** Same bounds the BFF enforces on POST /api/orders. */
export const MAX_QUANTITY = 99;
export const MAX_LINES = 50;

/** The most of one product a shopper can pick: its stock, within 1..MAX_QUANTITY. */
export function maxOrderable(stock: number): number {
  return Math.max(1, Math.min(MAX_QUANTITY, stock));
}

function clampQuantity(quantity: number): number {
  if (!Number.isFinite(quantity)) return 1;
  return Math.min(MAX_QUANTITY, Math.max(1, Math.trunc(quantity)));
}

/** Reads the saved cart, dropping anything malformed (storage may be corrupt or disabled). */
function loadLines(): CartLine[] {
  try {
    const raw = localStorage.getItem(CART_STORAGE_KEY);
    if (!raw) return [];
    const parsed: unknown = JSON.parse(raw);
    if (!Array.isArray(parsed)) return [];
    const lines: CartLine[] = [];
    for (const entry of parsed as unknown[]) {
      if (typeof entry !== 'object' || entry === null) continue;
      const { productId, quantity } = entry as Record<string, unknown>;
      if (typeof productId !== 'string' || !productId || typeof quantity !== 'number') continue;
      if (lines.some((line) => line.productId === productId)) continue;
      lines.push({ productId, quantity: clampQuantity(quantity) });
    }
    return lines.slice(0, MAX_LINES);
  } catch {
    return [];
  }
}

function saveLines(lines: CartLine[]): void {
  try {
    localStorage.setItem(CART_STORAGE_KEY, JSON.stringify(lines));
  } catch {
    // Private mode / quota: the cart still works for this page view.
  }
}

/** Product ids and quantities only: prices always come from the BFF. */
export const useCartStore = defineStore('cart', () => {
  const lines = ref<CartLine[]>(loadLines());

  const itemCount = computed(() => lines.value.reduce((sum, line) => sum + line.quantity, 0));
  const isEmpty = computed(() => lines.value.length === 0);

  function commit(next: CartLine[]): void {
    lines.value = next;
    saveLines(next);
  }

  function quantityOf(productId: string): number {
    return lines.value.find((line) => line.productId === productId)?.quantity ?? 0;
  }

  function add(productId: string, quantity = 1): void {
    const existing = quantityOf(productId);
    if (existing > 0) {
      setQuantity(productId, existing + quantity);
      return;
    }
    if (lines.value.length >= MAX_LINES) return;
    commit([...lines.value, { productId, quantity: clampQuantity(quantity) }]);
  }

  function setQuantity(productId: string, quantity: number): void {
    if (quantity <= 0) {
      remove(productId);
      return;
    }
    commit(
      lines.value.map((line) =>
        line.productId === productId ? { productId, quantity: clampQuantity(quantity) } : line,
      ),
    );
  }

  function remove(productId: string): void {
    commit(lines.value.filter((line) => line.productId !== productId));
  }

  function clear(): void {
    commit([]);
  }

  // Lines the shopper unticked for this visit (new lines and a reload start ticked, as in other shops).
  const unselected = ref(new Set<string>());
  const isSelected = (productId: string): boolean => !unselected.value.has(productId);
  function select(productId: string, selected: boolean): void {
    const next = new Set(unselected.value);
    if (selected) next.delete(productId);
    else next.add(productId);
    unselected.value = next;
  }
  function selectAll(productIds: string[], selected: boolean): void {
    unselected.value = selected ? new Set() : new Set(productIds);
  }
  /** After an order: drops the lines it took, keeping the rest of the cart. */
  function removeAll(productIds: string[]): void {
    commit(lines.value.filter((line) => !productIds.includes(line.productId)));
  }

  return {
    lines,
    itemCount,
    isEmpty,
    quantityOf,
    add,
    setQuantity,
    remove,
    clear,
    isSelected,
    select,
    selectAll,
    removeAll,
  };
});
