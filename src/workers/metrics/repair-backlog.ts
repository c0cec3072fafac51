import type { Client } from '@temporalio/client';
import { temporalClient } from '../../client/client';
import type { Config } from '../../config/schema';
import type { Logger } from '../../logging';
import { repairStatusQuery, repairWorkflowId } from '../../workflows/replica-repair-api';
import type { RepairBacklogSource } from './registry';

/** A scrape every 15 s costs at most one look-up per store per this interval. */
export const REPAIR_BACKLOG_CACHE_MS = 10_000;
const QUERY_DEADLINE_MS = 2_000;

/**
 * The repair backlog per store, read where it lives: the status query of each store's ReplicaRepairWorkflow
 * (`repair/<store>`). Read only when scraped, and then at most once per REPAIR_BACKLOG_CACHE_MS: a describe
 * and, for a running workflow, a query per store. A store without a running repair workflow has nothing
 * pending (its failed count is not read then); one whose query fails is left out of that scrape.
 */
export class RepairBacklog implements RepairBacklogSource {
  private client: Promise<Client> | undefined;
  private cached: { at: number; value: Promise<Array<{ store: string; pending: number; failed: number }>> } | undefined;

  constructor(
    private readonly config: Config,
    private readonly log: Logger,
  ) {}

  read(): Promise<Array<{ store: string; pending: number; failed: number }>> {
    const now = Date.now();
    if (!this.cached || now - this.cached.at > REPAIR_BACKLOG_CACHE_MS) this.cached = { at: now, value: this.lookUp() };
    return this.cached.value;
  }

  private async lookUp(): Promise<Array<{ store: string; pending: number; failed: number }>> {
    let client: Client;
    try {
      this.client ??= temporalClient(this.config);
      client = await this.client;
    } catch (err) {
      this.client = undefined;
      this.log.debug({ err }, 'repair backlog: Temporal unreachable');
      return [];
    }
    const out: Array<{ store: string; pending: number; failed: number }> = [];
    for (const { id: store } of this.config.stores) {
      try {
        const handle = client.workflow.getHandle(repairWorkflowId(store));
        const running = await client.withDeadline(Date.now() + QUERY_DEADLINE_MS, async () => {
          try {
            return (await handle.describe()).status.name === 'RUNNING';
          } catch (err) {
            if ((err as Error).name === 'WorkflowNotFoundError') return false;
            throw err;
          }
        });
        if (!running) {
          out.push({ store, pending: 0, failed: 0 });
          continue;
        }
        const status = await client.withDeadline(Date.now() + QUERY_DEADLINE_MS, () => handle.query(repairStatusQuery));
        out.push({ store, pending: status.pending, failed: status.failed.length });
      } catch (err) {
        this.log.debug({ err, store }, 'repair backlog: status query failed');
      }
    }
    return out;
  }

  async close(): Promise<void> {
    const pending = this.client;
    this.client = undefined;
    if (pending) await (await pending.catch(() => undefined))?.connection.close();
  }
}
