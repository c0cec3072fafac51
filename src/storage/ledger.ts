import type { ClickHouseClient } from '@clickhouse/client';
import { batchIdLiteral } from './identifiers';
import type { BatchLedgerRow } from './records';
import { insertRows, selectRows } from './table-io';
import { checksumSql } from './checksum';
import { qualified } from './identifiers';
import { BATCHES_TABLE, type TableDef } from './tables';

/**
 * The batches ledger: an entry is written only after all of a batch's rows are in, so "has an entry" means
 * "holds the batch". Entries are keyed on batch_id (ReplacingMergeTree), so a repeated entry is absorbed.
 */
export async function ledgerEntry(client: ClickHouseClient, database: string, batchId: string): Promise<BatchLedgerRow | undefined> {
  const [entry] = await selectRows<BatchLedgerRow>(client, database, BATCHES_TABLE, { where: `batch_id = ${batchIdLiteral(batchId)}` });
  return entry;
}

export async function recordBatch(client: ClickHouseClient, database: string, entry: Omit<BatchLedgerRow, 'insertedAt'>): Promise<void> {
  batchIdLiteral(entry.batchId);
  await insertRows(client, database, BATCHES_TABLE, [entry]);
}

/**
 * Sets the checksum of every ledger entry of `def`'s batches to the checksum of that batch's rows as the store
 * holds them, computed in SQL (src/storage/checksum.ts), keeping its batch id, row count and insert time (so the
 * new entry lands in the same partition and replaces the old one). For a migration that changes what a row
 * checksum hashes (migration 4). Entries whose batch has no rows left keep their checksum. Idempotent.
 */
export async function recomputeLedgerChecksums(client: ClickHouseClient, database: string, def: TableDef): Promise<void> {
  const ledger = qualified(database, BATCHES_TABLE.name);
  await client.command({
    query: [
      `INSERT INTO ${ledger} (batch_id, table_name, rows, checksum, inserted_at)`,
      'SELECT batch_id, table_name, rows, stored_checksum, inserted_at FROM',
      // current releases require an alias on each joined subquery; 18.16 accepts them
      `(SELECT batch_id, table_name, rows, inserted_at FROM ${ledger} FINAL WHERE table_name = '${def.name}') AS entry`,
      `ANY INNER JOIN (SELECT batch_id, ${checksumSql(def)} AS stored_checksum FROM ${qualified(database, def.name)} FINAL GROUP BY batch_id) AS stored`,
      'USING batch_id',
    ].join(' '),
  });
}
