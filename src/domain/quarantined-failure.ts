import type { QuarantineRow } from '../storage/records';

/**
 * Unparseable exchange bodies that failed a fetch. The activity's failure carries them in its details
 * (classify.ts), so the collector quarantines and counts them: the failure's own payload is the one channel
 * from an activity attempt to its workflow that cannot lose them.
 */
export interface QuarantinedBodies {
  batchId: string;
  rows: QuarantineRow[];
}

/** The detail key that holds them; an error carries them under the same name until it is classified. */
export const QUARANTINED_BODIES = 'quarantinedBodies';

function isQuarantined(value: unknown): value is QuarantinedBodies {
  const v = value as Partial<QuarantinedBodies> | null;
  return typeof v?.batchId === 'string' && Array.isArray(v.rows) && v.rows.length > 0;
}

/** Those carried by an error (in its failure details, anywhere along its cause chain), if any. */
export function quarantinedBodiesOf(err: unknown): QuarantinedBodies | undefined {
  for (let e = err as { cause?: unknown; details?: unknown; [QUARANTINED_BODIES]?: unknown } | undefined, depth = 0; e && depth < 8; e = e.cause as typeof e, depth++) {
    if (isQuarantined(e[QUARANTINED_BODIES])) return e[QUARANTINED_BODIES];
    if (Array.isArray(e.details)) {
      for (const d of e.details as Array<Record<string, unknown> | null>) if (isQuarantined(d?.[QUARANTINED_BODIES])) return d[QUARANTINED_BODIES] as QuarantinedBodies;
    }
  }
  return undefined;
}
