/** Transactions whose side effects outside the database (metric counts) happen only once they commit. */
import type { Kysely, Transaction } from 'kysely';
import type { DB } from './schema';

/**
 * Queues `task` to run once the transaction commits; a rolled-back transaction drops it. A count made
 * inside one that rolls back would otherwise be counted again when the work is retried (WeChat re-sends).
 */
export type AfterCommit = (task: () => void) => void;

/** For a statement run outside any transaction: it commits as it runs. */
export const immediately: AfterCommit = (task) => task();

/** `db.transaction()` with an `afterCommit` queue, run in order after COMMIT and never after a rollback. */
export async function inTransaction<T>(
  db: Kysely<DB>,
  body: (trx: Transaction<DB>, afterCommit: AfterCommit) => Promise<T>,
): Promise<T> {
  const tasks: (() => void)[] = [];
  const result = await db.transaction().execute((trx) => body(trx, (task) => void tasks.push(task)));
  for (const task of tasks) task();
  return result;
}
