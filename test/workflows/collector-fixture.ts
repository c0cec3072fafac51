import type { Client } from '@temporalio/client';
import type { Config } from '../../src/config/schema';
import type { DataType } from '../../src/domain/data-types';
import type { RowOf } from '../../src/domain/rows';
import { simulatorUrl } from '../../src/services/simulator';
import { storeClient } from '../../src/storage/client';
import { selectRows } from '../../src/storage/table-io';
import { MARKET_TABLES, type TableDef } from '../../src/storage/tables';
import { collectorStatus, startCollector, stopCollector, type CollectorSpec } from '../../src/temporal/collectors';
import type { CollectorStatus } from '../../src/workflows/collector';
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

export async function truth<R>(config: Config, query: Record<string, string | number>): Promise<R[]> {
  const qs = new URLSearchParams(Object.entries(query).map(([k, v]): [string, string] => [k, String(v)]));
  const res = await fetch(`${simulatorUrl(config)}/_admin/truth?${qs}`);
  if (res.status !== 200) throw new Error(`truth ${qs}: ${res.status} ${await res.text()}`);
  return (await res.json()) as R[];
}

export async function setFault(config: Config, fault: { exchange: string; mode: string; rate?: number; forMs?: number }): Promise<void> {
  const res = await fetch(`${simulatorUrl(config)}/_admin/faults`, { method: 'POST', body: JSON.stringify(fault) });
  if (res.status !== 200) throw new Error(`fault ${JSON.stringify(fault)}: ${res.status} ${await res.text()}`);
}

export async function clearFaults(config: Config): Promise<void> {
  await fetch(`${simulatorUrl(config)}/_admin/reset`, { method: 'POST' });
}

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
    return eventually(`${workflowId}: ${what}`, async () => {
      const s = await this.status(workflowId);
      return check(s) ? s : undefined;
    }, timeoutMs, 300);
  }

  async stopAll(): Promise<void> {
    for (const id of this.ids.splice(0)) await stopCollector(this.client, id).catch(() => undefined);
  }
}

/** Equal up to the rounding of a decimal string with a few digits (simulator bodies carry fixed decimals). */
export function near(actual: number | null | undefined, expected: number, relative = 1e-6): boolean {
  return actual !== null && actual !== undefined && Math.abs(actual - expected) <= relative * Math.max(1, Math.abs(expected));
}
