/**
 * Storage backends the suites run against: embedded PGlite always, and a real PostgreSQL
 * when TEST_DATABASE_URL is set (each suite gets its own schema, dropped afterwards).
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase, type DatabaseHandle } from '../../src/db/connect';
import type { Logger } from '../../src/logger';

export interface Backend {
  name: 'pglite' | 'postgres';
}

const postgresUrl = process.env.TEST_DATABASE_URL?.trim() || undefined;

export const testPostgresUrl = postgresUrl;

export const backends: Backend[] = [{ name: 'pglite' }, ...(postgresUrl ? [{ name: 'postgres' as const }] : [])];

/** `url` reaches the same PostgreSQL another way (a relay); the schema is still dropped directly. */
export async function openTestDatabase(
  backend: Backend,
  options: { url?: string; logger?: Logger; poolSize?: number } = {},
): Promise<DatabaseHandle> {
  if (backend.name === 'pglite') return openDatabase({ kind: 'pglite', dataDir: null });
  const schema = `bff_test_${randomBytes(6).toString('hex')}`;
  const handle = await openDatabase(
    { kind: 'postgres', url: options.url ?? postgresUrl! },
    { schema, poolSize: options.poolSize ?? 20, ...(options.logger ? { logger: options.logger } : {}) },
  );
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
