import { Context } from '@temporalio/activity';
import type { DataType } from '../../domain/data-types';
import type { QuarantineRow } from '../../storage/records';
import { recordBatchIdFor } from './batch-id';
import { UnparseableResponse } from './response-guard';

/** At most this many unparseable bodies are carried between attempts (the count is what matters beyond). */
const MAX_CARRIED = 20;

interface CarriedDetails {
  malformed: QuarantineRow[];
}

function currentContext(): Context | undefined {
  try {
    return Context.current();
  } catch {
    return undefined; // called outside an activity (a direct call in a test): nothing to carry
  }
}

function carriedFrom(context: Context | undefined): QuarantineRow[] {
  const details = context?.info.heartbeatDetails as CarriedDetails | undefined;
  return Array.isArray(details?.malformed) ? details.malformed : [];
}

/**
 * An unparseable response fails the attempt (so Temporal retries it with the exchange's policy) but is not
 * forgotten: the attempt heartbeats the raw body, the next attempt reads it from its heartbeat details and
 * returns it with its result, and the collector quarantines and counts it like a malformed item.
 */
export async function carryingMalformed<R extends { rejected: QuarantineRow[]; rejectedBatchId: string | null }>(
  exchange: string,
  dataType: DataType,
  symbols: string[],
  run: (current: { symbol: string }) => Promise<R>,
): Promise<R> {
  const context = currentContext();
  const carried = carriedFrom(context);
  const current = { symbol: symbols[0] ?? '' };
  try {
    const result = await run(current);
    if (!carried.length) return result;
    const rejected = [...carried, ...result.rejected];
    return { ...result, rejected, rejectedBatchId: recordBatchIdFor('quarantine', rejected) };
  } catch (err) {
    if (err instanceof UnparseableResponse && context) {
      const row: QuarantineRow = { exchange, dataType, symbol: current.symbol, reason: err.message, raw: err.rawBody, receivedAt: Date.now() };
      context.heartbeat({ malformed: [...carried, row].slice(-MAX_CARRIED) } satisfies CarriedDetails);
    }
    throw err;
  }
}
