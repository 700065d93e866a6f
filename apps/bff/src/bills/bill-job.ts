/**
 * Runs bill reconciliation: a day at a time under a lease (one instance works on a day), on schedule
 * for yesterday once it is 10:00 in Beijing, and on an operator's demand. A failed run keeps the day's
 * last good result and is retried later with backoff.
 */
import { dueBillDay } from './bill-day';
import { reconcileBillDay, type BillDayResult, type BillReconcileDeps } from './reconcile-bill';
import { claimBillRun, recordBillRunFailure } from './repository';

/** Longer than any download + diff should take; a crashed instance's day is free again after it. */
const LEASE_MS = 10 * 60_000;
const FIRST_RETRY_MS = 15 * 60_000;
const MAX_RETRY_MS = 2 * 3600_000;

export class BillRunBusyError extends Error {
  override readonly name = 'BillRunBusyError';
  constructor(readonly day: string) {
    super(`bill run for ${day} is held by another run`);
  }
}

/**
 * Reconciles `day` if its lease is free. `due` (the schedule) skips a day already reconciled or not yet
 * due for a retry and returns null; an operator's re-run throws BillRunBusyError while another run holds it.
 */
export async function runBillDay(
  deps: BillReconcileDeps,
  day: string,
  options: { due: boolean; source: string },
): Promise<BillDayResult | null> {
  if (!(await claimBillRun(deps.db, day, LEASE_MS, options.due))) {
    if (options.due) return null;
    throw new BillRunBusyError(day);
  }
  try {
    return await reconcileBillDay(deps, day, options.source);
  } catch (err) {
    const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    const backoffMs = (attempts: number) => Math.min(FIRST_RETRY_MS * 2 ** (attempts - 1), MAX_RETRY_MS);
    const attempts = await recordBillRunFailure(deps.db, day, message.slice(0, 500), backoffMs);
    deps.log.error({ err, day, attempts }, 'bill reconciliation failed; will retry');
    throw err;
  }
}

/** Checks every intervalMs whether yesterday's bill is due and unreconciled, and reconciles it. */
export function startBillJob(deps: BillReconcileDeps & { intervalMs: number; now?: () => Date }): {
  stop(): Promise<void>;
} {
  let running: Promise<unknown> | null = null;
  const tick = () => {
    if (running) return;
    const day = dueBillDay(deps.now?.() ?? new Date());
    if (!day) return;
    running = runBillDay(deps, day, { due: true, source: 'schedule' })
      .catch(() => undefined) // logged by runBillDay
      .finally(() => {
        running = null;
      });
  };
  const timer = setInterval(tick, deps.intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
