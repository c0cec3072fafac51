import { writeAtQuorum, type QuorumWriteInput, type QuorumWriteResult } from './quorum-write';

export type RedundantWriteInput = QuorumWriteInput;
export type RedundantWriteResult = QuorumWriteResult;

/**
 * Writes one batch to every store in parallel and completes once `quorum` stores hold it (quorum-write.ts).
 * Its own workflow for a batch that is not a collector's (tools, tests, runs started before collectors wrote
 * inline); workflow id `write/<batchId>`, so a batch started twice is written once.
 */
export async function RedundantWriteWorkflow(input: RedundantWriteInput): Promise<RedundantWriteResult> {
  return writeAtQuorum(input, 'RedundantWriteWorkflow');
}
