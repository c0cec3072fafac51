import type { DataType } from '../domain/data-types';
import { QUARANTINED_BODIES, type QuarantinedBodies } from '../domain/quarantined-failure';
import type { QuarantineRow } from '../storage/records';
import { recordBatchIdFor } from './batches';
import { UnparseableResponse } from './response-guard';

/**
 * Runs one fetch; an unparseable response fails it carrying the raw body (as QuarantinedBodies), which
 * classify.ts turns into failure details and makes final for the attempt chain. The collector then
 * quarantines and counts the body and fetches again from the same cursor on its next iteration.
 *
 * Why not a Temporal retry: the next attempt could only learn of the body through heartbeat details, and a
 * heartbeat sent just before a failure can be lost (temporalio/temporal#8376); a failure's own payload cannot.
 */
export async function quarantiningUnparseable<R>(exchange: string, dataType: DataType, run: (current: { symbol: string }) => Promise<R>): Promise<R> {
  const current = { symbol: '' };
  try {
    return await run(current);
  } catch (err) {
    if (err instanceof UnparseableResponse) {
      const rows: QuarantineRow[] = [{ exchange, dataType, symbol: current.symbol, reason: err.message, raw: err.rawBody, receivedAt: Date.now() }];
      const bodies: QuarantinedBodies = { batchId: recordBatchIdFor('quarantine', rows), rows };
      Object.assign(err, { [QUARANTINED_BODIES]: bodies });
    }
    throw err;
  }
}
