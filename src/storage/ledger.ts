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

/** Entries per statement of recordLedgerHashes: keeps its two lists well under max_query_size. */
const HASHES_PER_STATEMENT = 1_000;

/**
 * Records the cheap hash (records.ts BatchLedgerRow.hash) of entries that have none (UNRECORDED_HASH), keeping
 * the rest of each entry, its insert time included (so the new entry lands in the same partition and replaces
 * the old one: ledger reads use FINAL). For a backup that proved such entries by their checksum and so learned
 * the hash of rows that match them (src/backup/export.ts): the next full backup proves them cheaply. Entries that
 * have a hash meanwhile are left alone. `hashes`: UInt64 decimal strings.
 */
export async function recordLedgerHashes(client: ClickHouseClient, database: string, hashes: ReadonlyArray<{ batchId: string; hash: string }>): Promise<void> {
  const ledger = qualified(database, BATCHES_TABLE.name);
  for (let i = 0; i < hashes.length; i += HASHES_PER_STATEMENT) {
    const group = hashes.slice(i, i + HASHES_PER_STATEMENT);
    const ids = group.map((h) => batchIdLiteral(h.batchId)).join(', ');
    const values = group.map((h) => `'${uint64Text(h.hash)}'`).join(', ');
    await client.command({
      query: [
        `INSERT INTO ${ledger} (batch_id, table_name, rows, checksum, hash, inserted_at)`,
        `SELECT batch_id, table_name, rows, checksum, toUInt64(transform(batch_id, [${ids}], [${values}], '0')), inserted_at`,
        `FROM ${ledger} FINAL WHERE batch_id IN (${ids}) AND hash = 0`,
      ].join(' '),
    });
  }
}

function uint64Text(value: string): string {
  if (!/^\d{1,20}$/.test(value) || BigInt(value) >= 2n ** 64n) throw new RangeError(`'${value}' is not a UInt64`);
  return value;
}
