import type { ClickHouseClient } from '@clickhouse/client';
import { batchIdLiteral } from './identifiers';
import type { BatchLedgerRow } from './records';
import { insertRows, selectRows } from './table-io';
import { BATCHES_TABLE } from './tables';

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
