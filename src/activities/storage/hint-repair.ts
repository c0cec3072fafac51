import type { Client } from '@temporalio/client';
import type { Config } from '../../config/schema';
import { temporalClient } from '../../client/client';
import { hintRepair, type RepairHints } from '../../client/replicas';
import { workflowPolicies } from '../../client/workflow-policies';
import type { BatchRef } from '../../storage/ledger-diff';

export interface HintRepairInput {
  /**
   * The store that missed the batches. Deliberately not named `store`: this call depends on Temporal, not
   * on that store, so its failures must not count against the store's circuit breaker.
   */
  lagging: string;
  sources: string[];
  hints: BatchRef[];
}

/**
 * Signal-with-start of the lagging store's ReplicaRepairWorkflow (workflows cannot signal-with-start
 * themselves). One Temporal client per worker process, connected on first use; closeHintClient() on shutdown.
 */
export class HintClient {
  private client: Promise<Client> | undefined;
  constructor(readonly config: Config) {}

  get(): Promise<Client> {
    if (!this.client) {
      this.client = temporalClient(this.config);
      this.client.catch(() => (this.client = undefined));
    }
    return this.client;
  }

  async close(): Promise<void> {
    const pending = this.client;
    this.client = undefined;
    if (pending) await (await pending.catch(() => undefined))?.connection.close();
  }
}

export function hintRepairActivity(clients: HintClient) {
  // a repair workflow this activity starts honours the worker config's reliability overrides
  const policies = workflowPolicies(clients.config);
  return async function hintRepairFor({ lagging, sources, hints }: HintRepairInput): Promise<{ workflowId: string }> {
    const request: RepairHints = { store: lagging, sources, hints, ...(policies && { policies }) };
    const { workflowId } = await hintRepair(await clients.get(), request);
    return { workflowId };
  };
}
