import type { ClickHouseClient } from '@clickhouse/client';
import type { DataType } from '../domain/data-types';
import { checksumSql } from './checksum';
import { batchIdLiteral, qualified } from './identifiers';
import { selectRows } from './table-io';
import { MARKET_TABLES, type StoredRow } from './tables';

/** What a store holds of one batch, computed by the store itself over its rows (deduplicated with FINAL). */
export interface BatchSummary {
  rows: number;
  /** same function as rowsChecksum in src/storage/checksum.ts */
  checksum: string;
}

export async function batchSummary(client: ClickHouseClient, database: string, table: DataType, batchId: string): Promise<BatchSummary> {
  const def = MARKET_TABLES[table];
  const result = await client.query({
    query: `SELECT toString(count()) AS rows, toString(${checksumSql(def)}) AS checksum FROM ${qualified(database, def.name)} FINAL WHERE batch_id = ${batchIdLiteral(batchId)}`,
    format: 'JSONEachRow',
  });
  const [row] = await result.json<{ rows: string; checksum: string }>();
  return { rows: Number(row.rows), checksum: row.checksum };
}

/** The stored rows of one batch, as TS rows with their stamps, in natural-key order. */
export function batchRows<T extends DataType>(client: ClickHouseClient, database: string, table: T, batchId: string): Promise<Array<StoredRow<T>>> {
  return selectRows<StoredRow<T>>(client, database, MARKET_TABLES[table], { where: `batch_id = ${batchIdLiteral(batchId)}` });
}
