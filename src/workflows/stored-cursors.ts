import { isCancellation, patched, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { Cursors } from '../domain/cursor';
import { activityOptions } from '../reliability/activity-options';
import type { Policies } from '../reliability/policies';
import type { CollectorInput } from './collector-api';

/** Collectors started since this patch begin at the stored cursors; runs recorded before it began with none. */
export const STORED_CURSORS_PATCH = 'resume-from-stored-cursors';

/** Attempts per store, and the longest one store is waited for, before the next store is asked. */
const ATTEMPTS_PER_STORE = 2;
const WAIT_PER_STORE_MS = 20_000;

export interface ResumePoint {
  cursors: Cursors;
  /** the store that answered, null when none did */
  store: string | null;
  /** why the stores asked before it (or all of them) did not answer */
  errors: string[];
}

function messageOf(err: unknown): string {
  let e = err as { message?: string; cause?: unknown } | undefined;
  while (e?.cause) e = e.cause as typeof e;
  return e?.message ?? String(err);
}

/**
 * Where a collector started without carried state begins: the stored cursors (newest stored event time and the
 * ids at it, per symbol) of the first store in `input.stores` that answers (storedCursors activity), so a stop and
 * start continues where the stores stand rather than refetching the exchange's newest page into new batches.
 * A starting point only: the ledgers keep writes idempotent, and when no store answers the collector starts
 * empty, as before. Returns null (no lookup, no command) for runs recorded before STORED_CURSORS_PATCH, which
 * must replay as they ran.
 */
export async function resumePoint(input: CollectorInput, symbols: string[], policies: Policies): Promise<ResumePoint | null> {
  if (!patched(STORED_CURSORS_PATCH)) return null;
  const options = activityOptions('storeRead', policies);
  const { storedCursors } = proxyActivities<Activities>({
    ...options,
    scheduleToCloseTimeout: Math.min(Number(options.scheduleToCloseTimeout ?? WAIT_PER_STORE_MS), WAIT_PER_STORE_MS),
    retry: { ...options.retry, maximumAttempts: ATTEMPTS_PER_STORE },
  });
  const collector = { exchange: input.exchange, dataType: input.dataType, symbols, ...(input.options && { options: input.options }) };
  const errors: string[] = [];
  for (const store of input.stores) {
    try {
      return { cursors: (await storedCursors({ store, collector })).cursors, store, errors };
    } catch (err) {
      if (isCancellation(err)) throw err;
      errors.push(`${store}: ${messageOf(err)}`);
    }
  }
  return { cursors: {}, store: null, errors };
}
