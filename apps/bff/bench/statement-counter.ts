/**
 * Counts SQL statements sent to the database, PostgreSQL or PGlite, BEGIN and COMMIT included:
 * the bench reports round trips per request, since they, not signing or XML, set the cost.
 * Bench-only: it wraps the drivers' query methods in this process.
 */
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';

let statements = 0;

function wrap(proto: { query: (...args: never[]) => unknown }): void {
  const original = proto.query;
  proto.query = function (this: unknown, ...args: never[]) {
    statements += 1;
    return original.apply(this, args);
  };
}

export function countStatements(): () => number {
  wrap(pg.Client.prototype as unknown as { query: (...args: never[]) => unknown });
  wrap(PGlite.prototype as unknown as { query: (...args: never[]) => unknown });
  return () => statements;
}
