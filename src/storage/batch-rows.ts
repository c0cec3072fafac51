import type { ClickHouseClient } from '@clickhouse/client';
import { batchTableDef } from './batch-tables';
import type { BatchRowOf, BatchTable } from '../domain/batch';
import { checksumSql } from './checksum';
import { batchIdLiteral, qualified } from './identifiers';
import { selectRows } from './table-io';
import type { BatchStamp } from './tables';

/** What a store holds of one batch, computed by the store itself over its rows (deduplicated with FINAL). */
export interface BatchSummary {
  rows: number;
  /** same function as rowsChecksum in src/storage/checksum.ts */
  checksum: string;
}

/** A batch's row as stored: the row and the stamps the write path added. */
export type StoredBatchRow<T extends BatchTable> = BatchRowOf<T> & BatchStamp;

/**
 * Market and bookkeeping tables alike (bookkeeping rows carry their batch id since migration 3; rows written
 * before it have batch_id '', which no batch id matches).
 */
export async function batchSummary(client: ClickHouseClient, database: string, table: BatchTable, batchId: string): Promise<BatchSummary> {
  const def = batchTableDef(table);
  const result = await client.query({
    query: `SELECT toString(count()) AS rows, toString(${checksumSql(def)}) AS checksum FROM ${qualified(database, def.name)} FINAL WHERE batch_id = ${batchIdLiteral(batchId)}`,
    format: 'JSONEachRow',
  });
  const [row] = await result.json<{ rows: string; checksum: string }>();
  return { rows: Number(row.rows), checksum: row.checksum };
}

/** The stored rows of one batch, as TS rows with their stamps, in natural-key order. */
export function batchRows<T extends BatchTable>(client: ClickHouseClient, database: string, table: T, batchId: string): Promise<Array<StoredBatchRow<T>>> {
  return selectRows<StoredBatchRow<T>>(client, database, batchTableDef(table), { where: `batch_id = ${batchIdLiteral(batchId)}` });
}
