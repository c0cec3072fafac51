import type { Batch } from '../domain/batch';
import { batchTableDef } from './batch-tables';
import { rowsCheapHash } from './cheap-hash';
import { rowsChecksum } from './checksum';
import { jsonEachRow } from './json-each-row';
import { insertedColumns, toStoreRow } from './row-codec';
import type { BatchStamp, TableDef } from './tables';

/**
 * A batch encoded once for every store it goes to (issue 11, "a cheap hot path"): rows validated and turned into
 * JSONEachRow lines, and the ledger checksum and cheap hash, computed once per batch per process instead of once per store (the
 * profile in docs/performance.md put a third of a worker's busy time in this per-store work). Only the ingest
 * time differs between stores: each line is kept up to it, and a store's body appends its own.
 */
export interface EncodedBatch {
  def: TableDef;
  rows: number;
  /** src/storage/checksum.ts over the rows' own fields (UInt64 as a decimal string) */
  checksum: string;
  /** src/storage/cheap-hash.ts over the same rows: what the ledger records for backups to prove by (UInt64 as a decimal string) */
  hash: string;
  /** per row: its JSONEachRow line up to (not including) the ingest time value and the closing brace */
  heads: string[];
}

/** An ingest time no store is ever given (2001-09-09): marks where a line's ingest time goes. */
const PLACEHOLDER = 1_000_000_000_000;
const TAIL = `${PLACEHOLDER}}\n`;
/** batches kept encoded: the inserts of one batch into every store arrive within moments of each other */
const CACHE_SIZE = 32;
const cache = new Map<string, EncodedBatch>();

function encode(batch: Batch): EncodedBatch {
  const def = batchTableDef(batch.table);
  const lines = batch.rows.map((row, i) => jsonEachRow([toStoreRow(def, { ...row, batchId: batch.batchId, ingestTime: PLACEHOLDER } satisfies object & BatchStamp, i)]));
  const heads = lines.map((line) => {
    if (!line.endsWith(TAIL)) throw new Error(`${def.name}: the ingest time is not the last field of a row (stamps are declared last)`);
    return line.slice(0, -TAIL.length);
  });
  return { def, rows: batch.rows.length, checksum: rowsChecksum(def, batch.rows), hash: rowsCheapHash(def, batch.rows), heads };
}

/**
 * The batch encoded (from this process's cache when one of its inserts came here before). Throws BadRowError
 * (naming table, row and field) for a row that cannot be stored. Batch ids name their content (src/exchange/
 * batches.ts), so the id and row count key the cache.
 */
export function encodedBatch(batch: Batch): EncodedBatch {
  const key = `${batch.batchId}\u0000${batch.rows.length}`;
  let encoded = cache.get(key);
  if (encoded) {
    cache.delete(key); // most recently used last
  } else {
    encoded = encode(batch);
    if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value as string);
  }
  cache.set(key, encoded);
  return encoded;
}

/** The INSERT columns and the JSONEachRow body of an encoded batch for one store, stamped with its ingest time (epoch ms). */
export function encodedBody(encoded: EncodedBatch, ingestTime: number): { columns: string[]; body: string } {
  if (!Number.isSafeInteger(ingestTime) || ingestTime < 0) throw new RangeError(`ingest time ${ingestTime} is not epoch ms`);
  const tail = `${ingestTime}}\n`;
  return { columns: insertedColumns(encoded.def), body: encoded.heads.map((head) => head + tail).join('') };
}
