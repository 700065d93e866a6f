/** The audit log: one append-only entry per change an operator (or ADMIN_TOKEN automation) makes. */
import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../db/schema';

export interface AuditEntry {
  /** `operator:NAME` or `admin-token`. */
  actor: string;
  /** e.g. `order.refund`, `order.resolve-attention`, `bill.reconcile`, `operator.sign-in`. */
  action: string;
  target?: string;
  before?: unknown;
  after?: unknown;
}

export async function audit(db: Kysely<DB> | Transaction<DB>, entry: AuditEntry): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      actor: entry.actor,
      action: entry.action,
      target: entry.target ?? null,
      before: entry.before === undefined ? null : JSON.stringify(entry.before),
      after: entry.after === undefined ? null : JSON.stringify(entry.after),
    })
    .execute();
}

/** Newest first; `beforeId` pages on (keyset). */
export function auditPage(db: Kysely<DB>, options: { beforeId?: number; limit: number; target?: string }) {
  let query = db.selectFrom('audit_log').selectAll().orderBy('id', 'desc').limit(options.limit);
  if (options.beforeId !== undefined) query = query.where('id', '<', options.beforeId);
  if (options.target !== undefined) query = query.where('target', '=', options.target);
  return query.execute();
}
