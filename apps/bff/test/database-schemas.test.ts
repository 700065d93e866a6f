/** Suites share one PostgreSQL, each in its own schema: another schema's migration tables must not fool ours. */
import { describe, expect, it } from 'vitest';
import { openTestDatabase, testPostgresUrl } from './helpers/backends';

describe.skipIf(!testPostgresUrl)('openDatabase in a schema of its own (PostgreSQL)', () => {
  it('migrates while another schema already holds migrated tables (a parallel or crashed suite)', async () => {
    const first = await openTestDatabase({ name: 'postgres' });
    try {
      const second = await openTestDatabase({ name: 'postgres' });
      try {
        const products = await second.db.selectFrom('products').select('id').execute();
        expect(products.length).toBeGreaterThan(0);
      } finally {
        await second.close();
      }
    } finally {
      await first.close();
    }
  });
});
