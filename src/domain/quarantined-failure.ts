import type { Batch } from './batch';

/**
 * Unparseable exchange bodies that failed a fetch, as a quarantine batch. The activity's failure carries the
 * batch in its details under this key (src/reliability/failure-payload.ts), so the collector writes and counts
 * it: the failure's own payload is the one channel from an activity attempt to its workflow that cannot lose it.
 */
export const QUARANTINED_BODIES = 'quarantinedBodies';

type QuarantineBatch = Batch<'quarantine'>;

/** Accepts the current shape and the one failures carried before batches named their table ({ batchId, rows }). */
function asQuarantineBatch(value: unknown): QuarantineBatch | undefined {
  const v = value as Partial<QuarantineBatch> | null;
  if (typeof v?.batchId !== 'string' || !Array.isArray(v.rows) || v.rows.length === 0) return undefined;
  return { batchId: v.batchId, table: 'quarantine', rows: v.rows };
}

/** The quarantine batch carried by a failure (in its details, anywhere along its cause chain), if any. */
export function quarantinedBodiesOf(err: unknown): QuarantineBatch | undefined {
  for (let e = err as { cause?: unknown; details?: unknown } | undefined, depth = 0; e && depth < 8; e = e.cause as typeof e, depth++) {
    if (!Array.isArray(e.details)) continue;
    for (const d of e.details as Array<Record<string, unknown> | null>) {
      const batch = asQuarantineBatch(d?.[QUARANTINED_BODIES]);
      if (batch) return batch;
    }
  }
  return undefined;
}
