import type { ClickHouseClient, ClickHouseSettings } from '@clickhouse/client';
import type { BatchTable } from '../domain/batch';
import { batchTableDef } from './batch-tables';
import type { BatchSummary } from './batch-rows';
import { checksumSql } from './checksum';
import { batchIdLiteral, qualified } from './identifiers';
import type { BatchLedgerRow } from './records';
import { insertRows, selectRows } from './table-io';
import { BATCHES_TABLE } from './tables';

/**
 * Many batches at once, for backups and restores: where batch-rows.ts reads one batch per query (one scan of
 * the table each, as batch_id is not in the sorting key), these read the ledger entries and summaries of a whole
 * set of batches in a few scans. (The rows themselves travel as Native blocks: src/backup/native-io.ts.)
 */

/** Batch ids per IN list: keeps a query well under ClickHouse's max_query_size (256 KiB). */
export const IDS_PER_QUERY = 1_000;
/** Beyond this many ids, one scan of the whole table (filtered here) beats one scan per IN list. */
export const SCAN_ABOVE_IDS = 20 * IDS_PER_QUERY;

/**
 * Long sorted reads: progress headers keep the HTTP connection busy while the server sorts (the client's
 * request timeout is an idle timeout), and a sort larger than 256 MiB spills to disk instead of growing the
 * server's memory. Both settings exist in ClickHouse 18.16.
 */
const LONG_READ: ClickHouseSettings = {
  send_progress_in_http_headers: 1,
  http_headers_progress_interval_ms: '5000',
  max_bytes_before_external_sort: '268435456',
};

function inList(ids: readonly string[]): string {
  return ids.map(batchIdLiteral).join(', ');
}

function groups<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** The ledger entries of these batches that the store holds (any order). */
export async function ledgerEntriesOf(client: ClickHouseClient, database: string, batchIds: readonly string[]): Promise<BatchLedgerRow[]> {
  const out: BatchLedgerRow[] = [];
  for (const ids of groups(batchIds, IDS_PER_QUERY)) {
    out.push(...(await selectRows<BatchLedgerRow>(client, database, BATCHES_TABLE, { where: `batch_id IN (${inList(ids)})` })));
  }
  return out;
}

/** Records several ledger entries in one insert; as recordBatch, only after the batches' rows are in. */
export async function recordBatches(client: ClickHouseClient, database: string, entries: ReadonlyArray<Omit<BatchLedgerRow, 'insertedAt'>>): Promise<void> {
  for (const e of entries) batchIdLiteral(e.batchId);
  await insertRows(client, database, BATCHES_TABLE, entries);
}

/** Row count and checksum (as batchSummary computes them) of each of these batches the table holds. */
export async function batchSummaries(client: ClickHouseClient, database: string, table: BatchTable, batchIds: readonly string[]): Promise<Map<string, BatchSummary>> {
  const def = batchTableDef(table);
  const out = new Map<string, BatchSummary>();
  const wanted = new Set(batchIds);
  const wheres = batchIds.length > SCAN_ABOVE_IDS ? [''] : groups([...batchIds].sort(), IDS_PER_QUERY).map((ids) => ` WHERE batch_id IN (${inList(ids)})`);
  for (const where of wheres) {
    // aliases must not be column names of the table (`rows`): ClickHouse would substitute them
    const query = `SELECT batch_id, toString(count()) AS summary_rows, toString(${checksumSql(def)}) AS summary_checksum FROM ${qualified(database, def.name)} FINAL${where} GROUP BY batch_id`;
    const result = await client.query({ query, format: 'JSONEachRow', clickhouse_settings: LONG_READ });
    for (const r of await result.json<{ batch_id: string; summary_rows: string; summary_checksum: string }>()) {
      if (wanted.has(r.batch_id)) out.set(r.batch_id, { rows: Number(r.summary_rows), checksum: r.summary_checksum });
    }
  }
  return out;
}
