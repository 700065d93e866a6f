/**
 * Storage backends the suites run against: embedded PGlite always, and a real PostgreSQL
 * when TEST_DATABASE_URL is set (each suite gets its own schema, dropped afterwards).
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase, type DatabaseHandle } from '../../src/db/connect';

export interface Backend {
  name: 'pglite' | 'postgres';
}

const postgresUrl = process.env.TEST_DATABASE_URL?.trim() || undefined;

export const backends: Backend[] = [{ name: 'pglite' }, ...(postgresUrl ? [{ name: 'postgres' as const }] : [])];

export async function openTestDatabase(backend: Backend): Promise<DatabaseHandle> {
  if (backend.name === 'pglite') return openDatabase({ kind: 'pglite', dataDir: null });
  const schema = `bff_test_${randomBytes(6).toString('hex')}`;
  const handle = await openDatabase({ kind: 'postgres', url: postgresUrl! }, { schema, poolSize: 20 });
  return {
    ...handle,
    async close() {
      await handle.close();
      const admin = new pg.Client({ connectionString: postgresUrl });
      await admin.connect();
      try {
        await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      } finally {
        await admin.end();
      }
    },
  };
}
