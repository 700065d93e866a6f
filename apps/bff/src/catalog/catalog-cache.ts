/**
 * The catalog answered from memory: one snapshot of the products on sale, reloaded from the database once it
 * is older than `maxAgeMs`. Stock shown may lag the database by at most that bound; ordering never reads it
 * (the order statement checks and takes stock in the database).
 */
import type { Product } from '@wxpay-shop/contract';
import { etagOf } from '../http/revalidated';

export interface CatalogSnapshot {
  products: Product[];
  /** The product list answer, serialised once: `{"products":[…]}`. */
  listJson: string;
  /** Strong validator of `listJson`, as sendRevalidated computes it. */
  listEtag: string;
}

export class CatalogCache {
  private snapshot: { value: CatalogSnapshot; loadedAtMs: number } | null = null;
  private loading: Promise<CatalogSnapshot> | null = null;

  /**
   * `load` reads the database; `maxAgeMs` 0 reads it for every request. `nowMs` is the clock the bound is
   * kept on (a fake one in tests).
   */
  constructor(
    private readonly load: () => Promise<Product[]>,
    readonly maxAgeMs: number,
    private readonly nowMs: () => number = () => Date.now(),
  ) {}

  /**
   * A snapshot whose read started at most `maxAgeMs` ago. Requests arriving while a read is under way share
   * it, so a burst after expiry costs one query; a failed read is not kept.
   */
  async get(): Promise<CatalogSnapshot> {
    if (this.maxAgeMs === 0) return toSnapshot(await this.load());
    const current = this.snapshot;
    if (current && this.nowMs() - current.loadedAtMs < this.maxAgeMs) return current.value;
    this.loading ??= this.reload();
    return this.loading;
  }

  private async reload(): Promise<CatalogSnapshot> {
    // The age counts from before the read: the rows can be no older than this.
    const startedAtMs = this.nowMs();
    try {
      const value = toSnapshot(await this.load());
      this.snapshot = { value, loadedAtMs: startedAtMs };
      return value;
    } finally {
      this.loading = null;
    }
  }
}

function toSnapshot(products: Product[]): CatalogSnapshot {
  const listJson = JSON.stringify({ products });
  return { products, listJson, listEtag: etagOf(listJson) };
}
