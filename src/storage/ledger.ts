import { randomBytes } from 'node:crypto';
import type { ClickHouseClient } from '@clickhouse/client';
import { batchIdLiteral } from './identifiers';
import type { BatchLedgerRow } from './records';
import { insertBody, insertRows, selectRows } from './table-io';
import { checksumSql } from './checksum';
import { isUInt64Text } from './columns';
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

/**
 * Records the cheap hash (records.ts BatchLedgerRow.hash) the store computed over a batch's rows after they were
 * proved by the ledger checksum, for entries that have none (UNRECORDED_HASH) or another one, keeping the rest
 * of each entry, its insert time included (so the new entry lands in the same partition and replaces the old one:
 * ledger reads use FINAL). For backups (src/backup/export.ts): the next full backup proves those entries cheaply.
 * The hashes go into a scratch Memory table first and the ledger gets ONE INSERT … SELECT, so a backup that learns
 * millions of older entries adds one part per month partition, not one per thousand entries, and no statement
 * outgrows max_query_size. `hashes`: UInt64 decimal strings; throws RangeError for anything else.
 */
export async function recordLedgerHashes(client: ClickHouseClient, database: string, hashes: ReadonlyArray<{ batchId: string; hash: string }>): Promise<void> {
  if (hashes.length === 0) return;
  for (const h of hashes) {
    batchIdLiteral(h.batchId);
    if (!isUInt64Text(h.hash)) throw new RangeError(`'${h.hash}' is not a UInt64`);
  }
  const ledger = qualified(database, BATCHES_TABLE.name);
  const scratch = qualified(database, `mp_learned_hashes_${randomBytes(6).toString('hex')}`);
  await client.command({ query: `CREATE TABLE ${scratch} (batch_id String, learned_hash UInt64) ENGINE = Memory` });
  try {
    // a quoted number parses into UInt64 exactly (src/storage/columns.ts, hash64)
    const body = hashes.map((h) => JSON.stringify({ batch_id: h.batchId, learned_hash: h.hash })).join('\n');
    await insertBody(client, `INSERT INTO ${scratch} (batch_id, learned_hash) FORMAT JSONEachRow`, body);
    await client.command({
      query: [
        `INSERT INTO ${ledger} (batch_id, table_name, rows, checksum, hash, inserted_at)`,
        'SELECT batch_id, table_name, rows, checksum, learned_hash, inserted_at FROM',
        // current releases require an alias on each joined subquery; 18.16 accepts them
        `(SELECT batch_id, table_name, rows, checksum, hash, inserted_at FROM ${ledger} FINAL WHERE batch_id IN (SELECT batch_id FROM ${scratch})) AS entry`,
        `ANY INNER JOIN (SELECT batch_id, learned_hash FROM ${scratch}) AS learned USING batch_id`,
        'WHERE hash != learned_hash',
      ].join(' '),
    });
  } finally {
    await client.command({ query: `DROP TABLE IF EXISTS ${scratch}` }).catch(() => undefined);
  }
}
