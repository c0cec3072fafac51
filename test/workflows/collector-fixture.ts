import { after, before } from 'node:test';
import type { Client } from '@temporalio/client';
import type { Config } from '../../src/config/schema';
import type { DataType } from '../../src/domain/data-types';
import type { RowOf } from '../../src/domain/rows';
import { storeClient } from '../../src/storage/client';
import { selectRows } from '../../src/storage/table-io';
import { MARKET_TABLES, type TableDef } from '../../src/storage/tables';
import { temporalClient } from '../../src/client/client';
import { collectorStatus, startCollector, stopCollector, type CollectorSpec } from '../../src/client/collectors';
import { startWorkers, type RunningWorkers } from '../../src/workers/start-workers';
import type { CollectorStatus } from '../../src/workflows/collector-api';
import { eventually } from '../support/wait';

/** Helpers the collector tests share: stored rows, ground truth, simulator faults, collector lifecycle. */
export function quoted(value: string): string {
  if (!/^[A-Za-z0-9/:_.-]+$/.test(value)) throw new Error(`test value ${value} is not a plain identifier`);
  return `'${value}'`;
}

/**
 * Rows of one exchange and symbol written since `since` (epoch ms of ingest): tests share one stack, so each
 * looks only at what it wrote itself.
 */
export async function storedRows<T extends DataType>(config: Config, table: T, exchange: string, symbol: string, since = 0, store = config.stores[0]): Promise<Array<RowOf<T>>> {
  return selectRows<RowOf<T>>(storeClient(store), store.database, MARKET_TABLES[table], {
    where: `exchange = ${quoted(exchange)} AND symbol = ${quoted(symbol)} AND ingest_time >= ${Math.floor(since)}`,
    orderBy: 'event_time',
  });
}

export async function storedRecords<R>(config: Config, def: TableDef, where: string, store = config.stores[0]): Promise<R[]> {
  return selectRows<R>(storeClient(store), store.database, def, { where });
}

// simulator admin helpers live in test/support; re-exported for the collector tests that import them from here
export { clearFaults, setFault, truth } from '../support/simulator-admin';

/** Starts collectors and remembers them, so `stopAll` can end them after the test. */
export class Collectors {
  readonly ids: string[] = [];
  constructor(
    private readonly client: Client,
    private readonly config: Config,
  ) {}

  async start(spec: CollectorSpec): Promise<string> {
    const { workflowId } = await startCollector(this.client, this.config, spec);
    this.ids.push(workflowId);
    return workflowId;
  }

  status(workflowId: string): Promise<CollectorStatus> {
    return collectorStatus(this.client, workflowId);
  }

  /** Waits until the collector's status satisfies `check`. */
  waitFor(workflowId: string, what: string, check: (s: CollectorStatus) => boolean, timeoutMs = 60_000): Promise<CollectorStatus> {
    let last: CollectorStatus | undefined;
    return eventually(`${workflowId}: ${what}`, async () => {
      last = await this.status(workflowId);
      return check(last) ? last : undefined;
    }, timeoutMs, 300).catch((err: Error) => {
      throw new Error(`${err.message}; last status ${JSON.stringify(last)}`);
    });
  }

  async stopAll(): Promise<void> {
    for (const id of this.ids.splice(0)) await stopCollector(this.client, id).catch(() => undefined);
  }
}

/** Equal up to the rounding of a decimal string with a few digits (simulator bodies carry fixed decimals). */
export function near(actual: number | null | undefined, expected: number, relative = 1e-6): boolean {
  return actual !== null && actual !== undefined && Math.abs(actual - expected) <= relative * Math.max(1, Math.abs(expected));
}

/** What a collector test's describe block runs against: in-process workers, a client, a Collectors registry. */
export interface CollectorHarness {
  workers: RunningWorkers;
  client: Client;
  collectors: Collectors;
}

/**
 * Registers before/after hooks in the calling describe block: workers for `queues`, a client and a Collectors
 * registry. Afterwards: `cleanUp` (while the workers still run), every registered collector stopped, all closed.
 */
export function collectorHarness(config: Config, queues: string[], identity: string, cleanUp?: (h: CollectorHarness) => Promise<void>): CollectorHarness {
  const h = {} as CollectorHarness;
  before(async () => {
    h.workers = await startWorkers(config, { queues, identity });
    h.client = await temporalClient(config);
    h.collectors = new Collectors(h.client, config);
  });
  after(async () => {
    if (h.client) await cleanUp?.(h);
    await h.collectors?.stopAll();
    await h.client?.connection.close();
    await h.workers?.shutdown();
  });
  return h;
}
