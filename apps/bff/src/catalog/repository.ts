/** Catalog queries other features share: which products this deployment lists and sells. */
import type { Kysely } from 'kysely';
import type { Config } from '../config';
import type { DB } from '../db/schema';

/** The products this deployment lists and sells: test-only ones (the ¥0.01 sticker) are for dev and tests, never production. */
export function productsOnSale(db: Kysely<DB>, config: Config) {
  return db
    .selectFrom('products')
    .selectAll()
    .$if(config.env === 'production', (qb) => qb.where('test_only', '=', false));
}
