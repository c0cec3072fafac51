import type { DataType } from '../domain/data-types';
import { QUARANTINED_BODIES } from '../domain/quarantined-failure';
import type { QuarantineRow } from '../domain/rows';
import { attachFailurePayload } from '../reliability/failure-payload';
import { batchOf } from './batches';
import { UnparseableResponse } from './response-guard';

/**
 * Runs one fetch; an unparseable response fails it carrying the raw body as a quarantine batch (a failure
 * payload, which the classifier puts in the failure's details and makes final for the attempt chain). The
 * collector then writes and counts the batch and fetches again from the same cursor on its next iteration.
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
      attachFailurePayload(err, { [QUARANTINED_BODIES]: batchOf('quarantine', rows) });
    }
    throw err;
  }
}
