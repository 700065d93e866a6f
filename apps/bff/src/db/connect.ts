/**
 * Opens the database: PostgreSQL through a pg Pool when DATABASE_URL is set, otherwise
 * embedded PGlite (on disk, or in memory for tests). Runs migrations before returning.
 */
import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, Migrator, PostgresDialect, sql } from 'kysely';
import { PGliteDialect } from 'kysely-pglite-dialect';
import pg from 'pg';
import type { Database } from '../config';
import type { Logger } from '../logger';
import { migrationProvider } from './migrations';
import type { DB } from './schema';

/** A pg pool's connections: open ones (in use + idle), and requests queued for one. */
export interface PoolStats {
  total: number;
  idle: number;
  waiting: number;
}

export interface DatabaseHandle {
  db: Kysely<DB>;
  kind: 'postgres' | 'pglite';
  /** PostgreSQL only (PGlite has one connection and no pool). */
  poolStats?: () => PoolStats;
  /** PostgreSQL's pool, for stores that speak to pg directly (rate-limiter-flexible); null on PGlite. */
  pool: pg.Pool | null;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** PostgreSQL only: schema to create and use via search_path (isolates test files). */
  schema?: string;
  poolSize?: number;
  /** Where a lost pooled connection is reported (PostgreSQL only); silent without one. */
  logger?: Logger;
}

/** A connection attempt that takes longer fails, so an unreachable database answers 503, not a hung request. */
const CONNECT_TIMEOUT_MS = 10_000;

export async function openDatabase(target: Database, options: OpenOptions = {}): Promise<DatabaseHandle> {
  let db: Kysely<DB>;
  let poolStats: (() => PoolStats) | undefined;
  let pool: pg.Pool | null = null;
  if (target.kind === 'postgres') {
    const schema = options.schema;
    if (schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new Error('invalid schema name');
    if (schema) {
      const admin = new pg.Client({ connectionString: target.url });
      await admin.connect();
      try {
        await admin.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
      } finally {
        await admin.end();
      }
    }
    const pgPool = new pg.Pool({
      connectionString: target.url,
      max: options.poolSize ?? 10,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      ...(schema ? { options: `-c search_path=${schema}` } : {}),
    });
    pool = pgPool;
    poolStats = () => ({ total: pgPool.totalCount, idle: pgPool.idleCount, waiting: pgPool.waitingCount });
    keepServingOnConnectionLoss(pgPool, options.logger);
    db = new Kysely<DB>({ dialect: new PostgresDialect({ pool: pgPool }) });
  } else {
    if (target.dataDir) mkdirSync(target.dataDir, { recursive: true });
    const pglite = target.dataDir ? new PGlite(target.dataDir) : new PGlite();
    db = new Kysely<DB>({ dialect: new PGliteDialect(pglite) });
  }
  try {
    await migrate(db, target.kind === 'postgres' ? options.schema : undefined);
  } catch (err) {
    await db.destroy();
    throw err;
  }
  return { db, kind: target.kind, pool, ...(poolStats ? { poolStats } : {}), close: () => db.destroy() };
}

/**
 * PostgreSQL closes connections on a restart, a failover, pg_terminate_backend or a proxy's idle
 * timeout. pg reports that as an 'error' event on the pool (idle connection) or on the client (checked
 * out, between queries); without a listener Node would exit. The pool drops the broken connection and
 * opens a new one on the next query, so logging is all there is to do.
 */
function keepServingOnConnectionLoss(pool: pg.Pool, logger: Logger | undefined): void {
  pool.on('error', (err) =>
    logger?.warn({ err }, 'idle database connection lost; the pool reconnects on the next query'),
  );
  // A checked-out connection lost between queries: the query in progress (if any) fails with it.
  pool.on('connect', (client) => client.on('error', (err) => logger?.debug({ err }, 'database connection error')));
}

/**
 * `schema`: the migration tables live there too. Without it Kysely looks for them in any schema, so a test
 * schema created while another one already has them skipped creating its own and failed (42P01).
 */
async function migrate(db: Kysely<DB>, schema: string | undefined): Promise<void> {
  const tables = schema ? { migrationTableSchema: schema } : {};
  const migrator = new Migrator({ db, provider: migrationProvider, ...tables });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    throw new Error(`database migration failed${failed ? ` at ${failed.migrationName}` : ''}`, { cause: error });
  }
}

export async function isReachable(db: Kysely<DB>): Promise<boolean> {
  try {
    await sql`select 1`.execute(db);
    return true;
  } catch {
    return false;
  }
}
