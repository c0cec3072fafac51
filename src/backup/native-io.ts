import type { Readable } from 'node:stream';
import type { ClickHouseClient, ClickHouseSettings } from '@clickhouse/client';
import { cheapHashExpr } from '../storage/cheap-hash';
import { checksumSql } from '../storage/checksum';
import { batchIdLiteral, qualified } from '../storage/identifiers';
import type { TableDef } from '../storage/tables';

/**
 * The store side of format version 2 (src/backup/native.ts): one aggregate query per table proving the rows the
 * backup reads match the ledger, the Native export of a chunk's batches (gzipped by the store when it will), the
 * Native insert of a chunk on restore, and the cheap per-batch check of a restored table.
 */

/** What a store holds of one batch: row count, the ledger checksum over the rows, and the cheap hash. */
export interface BatchProof {
  rows: number;
  checksum: string;
  hash: string;
}

/** Above this many ids a query reads the whole table and keeps the wanted ones here (as batch-stream.ts does). */
export const WHOLE_TABLE_ABOVE_IDS = 20_000;

/** gzip level the store compresses exports with: level 1 by measurement (docs/performance.md, "Backups"). */
export const STORE_GZIP_LEVEL = 1;

/** Settings for reads of a whole table: progress headers keep the connection busy, long IN lists parse. */
function readSettings(query: string): ClickHouseSettings {
  return {
    send_progress_in_http_headers: 1,
    http_headers_progress_interval_ms: '5000',
    max_query_size: String(Math.max(262_144, query.length + 1024)),
  };
}

function whereIds(ids: readonly string[] | undefined): string {
  return ids === undefined ? '' : ` WHERE batch_id IN (${ids.length ? ids.map(batchIdLiteral).join(', ') : "''"})`;
}

/**
 * Count, ledger checksum and cheap hash of each of `ids` the table holds, in ONE query (GROUP BY batch_id);
 * FINAL only when asked (for batches whose stored rows hold duplicates a merge has not removed yet).
 * `ledger: false` leaves the ledger checksum out (restore checks: the cheap hash is compared first).
 */
export async function proveBatches(
  client: ClickHouseClient,
  database: string,
  def: TableDef,
  ids: readonly string[],
  opts: { final?: boolean; ledger?: boolean } = {},
): Promise<Map<string, BatchProof>> {
  const whole = ids.length > WHOLE_TABLE_ABOVE_IDS;
  const ledger = opts.ledger ?? true;
  // aliases must not be column names of the table (`rows`): ClickHouse would substitute them
  const query =
    `SELECT batch_id, toString(count()) AS proof_rows, ${ledger ? `toString(${checksumSql(def)})` : "''"} AS proof_checksum, toString(sum(${cheapHashExpr(def)})) AS proof_hash` +
    ` FROM ${qualified(database, def.name)}${opts.final ? ' FINAL' : ''}${whereIds(whole ? undefined : ids)} GROUP BY batch_id`;
  const result = await client.query({ query, format: 'JSONEachRow', clickhouse_settings: readSettings(query) });
  const wanted = new Set(ids);
  const out = new Map<string, BatchProof>();
  for (const r of await result.json<{ batch_id: string; proof_rows: string; proof_checksum: string; proof_hash: string }>()) {
    if (wanted.has(r.batch_id)) out.set(r.batch_id, { rows: Number(r.proof_rows), checksum: r.proof_checksum, hash: r.proof_hash });
  }
  return out;
}

export interface NativeExport {
  /** the response body: gzip of the Native stream when `gzipped`, else the Native stream itself */
  stream: Readable;
  gzipped: boolean;
}

/** The rows of `ids` (every column of `columns`) as a Native stream, gzipped by the store where it does so. */
export async function exportNative(client: ClickHouseClient, database: string, def: TableDef, columns: readonly string[], ids: readonly string[], final: boolean): Promise<NativeExport> {
  const query = `SELECT ${columns.join(', ')} FROM ${qualified(database, def.name)}${final ? ' FINAL' : ''}${whereIds(ids)} FORMAT Native`;
  const result = await client.exec({
    query,
    clickhouse_settings: { ...readSettings(query), enable_http_compression: 1, http_zlib_compression_level: String(STORE_GZIP_LEVEL) },
    http_headers: { 'Accept-Encoding': 'gzip' },
    decompress_response_stream: false,
  });
  const encoding = String(result.response_headers['content-encoding'] ?? '').toLowerCase();
  return { stream: result.stream, gzipped: encoding === 'gzip' };
}

/** Inserts a Native stream (plain, not compressed) into the table's `columns`. */
export async function insertNative(client: ClickHouseClient, database: string, table: string, columns: readonly string[], body: Readable): Promise<void> {
  const result = await client.exec({ query: `INSERT INTO ${qualified(database, table)} (${columns.join(', ')}) FORMAT Native`, values: body });
  result.stream.resume();
  await new Promise<void>((resolve, reject) => {
    result.stream.on('end', resolve);
    result.stream.on('error', reject);
  });
}
