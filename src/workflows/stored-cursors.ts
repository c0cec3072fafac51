import { isCancellation, patched, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { newestCursors, type Cursors } from '../domain/cursor';
import { activityOptions } from '../reliability/activity-options';
import type { Policies } from '../reliability/policies';
import type { CollectorInput } from './collector-api';

/** Collectors started since this patch begin at the stored cursors; runs recorded before it began with none. */
export const STORED_CURSORS_PATCH = 'resume-from-stored-cursors';

/** Attempts per store, and the longest a store is waited for (a store that is down adds nothing). */
const ATTEMPTS_PER_STORE = 2;
const WAIT_PER_STORE_MS = 20_000;

export interface ResumePoint {
  cursors: Cursors;
  /** the stores that answered, in config order; empty when none did */
  answered: string[];
  /** why the others did not answer, one `store: message` each */
  errors: string[];
}

function messageOf(err: unknown): string {
  let e = err as { message?: string; cause?: unknown } | undefined;
  while (e?.cause) e = e.cause as typeof e;
  return e?.message ?? String(err);
}

/**
 * Where a collector started without carried state begins: per symbol, the newest of the stored cursors (newest
 * stored event time and the ids at it) of every store in `input.stores` that answers (storedCursors activity, all
 * asked at once), so a stop and start continues where the stores stand rather than refetching the exchange's newest
 * page into new batches. The newest, not the first answer: a store that was down or restored from an older backup
 * lags, and starting from it would refetch what the others hold into new batches; what it lacks, replica repair
 * copies. A starting point only: the ledgers keep writes idempotent, and when no store answers the collector starts
 * empty, as before. Returns null (no lookup, no command) for runs recorded before STORED_CURSORS_PATCH, which must
 * replay as they ran.
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
  const answers = await Promise.all(
    input.stores.map(async (store): Promise<{ store: string; cursors?: Cursors; error?: string }> => {
      try {
        return { store, cursors: (await storedCursors({ store, collector })).cursors };
      } catch (err) {
        if (isCancellation(err)) throw err;
        return { store, error: messageOf(err) };
      }
    }),
  );
  return {
    cursors: newestCursors(answers.flatMap((a) => (a.cursors ? [a.cursors] : []))),
    answered: answers.filter((a) => a.cursors).map((a) => a.store),
    errors: answers.filter((a) => a.error !== undefined).map((a) => `${a.store}: ${a.error}`),
  };
}
