import type { ClickHouseClient } from '@clickhouse/client';
import { batchTableDef } from './batch-tables';
import type { BatchTable } from '../domain/batch';
import { checksumTextSql, decodeField, selectExpressions } from './columns';
import { sinceCondition } from './consistency';
import { keyHashesSql } from './per-key';
import { dayCondition } from './row-hashes';

/**
 * Which rows of one (table, day) stores disagree on, for `replicas check`: natural keys a store lacks, or holds
 * with other values (one row per natural key: the copy in the greatest batch id, src/storage/per-key.ts). Rows never travel in bulk: each store first sums its row hashes per bucket of key hashes
 * (a few thousand rows per bucket at most), and only the keys of buckets whose sums differ are read and compared.
 * Everything is plain 18.16 SQL (MD5, reinterpretAsUInt64, modulo, GROUP BY).
 */

export interface StoreReader {
  id: string;
  client: ClickHouseClient;
  database: string;
}

export interface RowDifference {
  /** the natural key (ORDER BY columns), by column name */
  key: Record<string, unknown>;
  /** per store: the row's hash (same hash = same values), or null when the store lacks the key */
  stores: Record<string, string | null>;
}

export interface RowDifferences {
  rows: RowDifference[];
  /** more keys differ than were listed */
  more: boolean;
}

/** Rows per bucket the drill-down aims for: small enough to read every key of a bucket from every store. */
const ROWS_PER_BUCKET = 500;
const MAX_BUCKETS = 4_096;

function keyFields(table: BatchTable) {
  const def = batchTableDef(table);
  return def.naturalKey.map((column) => {
    const field = def.fields.find((f) => f.column === column);
    if (!field) throw new Error(`${table}: ORDER BY column ${column} is not a declared field`);
    return field;
  });
}

function keyHashSql(table: BatchTable): string {
  const parts = keyFields(table).map((f) => checksumTextSql(f.kind, f.column));
  return `reinterpretAsUInt64(MD5(${parts.length === 1 ? parts[0] : `concat(${parts.join(", ',', ")})`}))`;
}

function scope(table: BatchTable, day: number, sinceMs: number): string {
  return `${dayCondition(table, day)} AND ${sinceCondition(table, sinceMs)}`;
}

/** Per key hash bucket: how many natural keys and the sum of their chosen rows' hashes. */
async function bucketSums(store: StoreReader, table: BatchTable, where: string, buckets: number): Promise<Map<number, string>> {
  const perKey = keyHashesSql(store.database, batchTableDef(table), where);
  const query = [
    `SELECT toUInt32(${keyHashSql(table)} % ${buckets}) AS bucket, concat(toString(count()), '/', toString(sum(row_hash))) AS bucket_sum`,
    `FROM (${perKey}) GROUP BY bucket`,
  ].join(' ');
  const rows = await (await store.client.query({ query, format: 'JSONEachRow' })).json<{ bucket: number | string; bucket_sum: string }>();
  return new Map(rows.map((r) => [Number(r.bucket), r.bucket_sum]));
}

async function bucketRows(store: StoreReader, table: BatchTable, where: string, buckets: number, bucket: number): Promise<Array<{ key: Record<string, unknown>; hash: string }>> {
  const fields = keyFields(table);
  const perKey = keyHashesSql(store.database, batchTableDef(table), `${where} AND ${keyHashSql(table)} % ${buckets} = ${bucket}`);
  const query = `SELECT ${fields.flatMap((f) => selectExpressions(f.kind, f.column)).join(', ')}, toString(row_hash) AS row_hash_text FROM (${perKey})`;
  const raw = await (await store.client.query({ query, format: 'JSONEachRow' })).json<Record<string, unknown>>();
  return raw.map((r) => ({ key: Object.fromEntries(fields.map((f) => [f.column, decodeField(f.kind, f.column, r)])), hash: String(r.row_hash_text) }));
}

/**
 * Up to `limit` natural keys of `table` on `day` (time column >= sinceMs) that the given stores do not all hold
 * with the same values. `maxRows` is the largest row count a store holds that day (sizes the buckets).
 */
export async function rowDifferences(stores: readonly StoreReader[], table: BatchTable, day: number, sinceMs: number, maxRows: number, limit: number): Promise<RowDifferences> {
  if (limit <= 0 || stores.length < 2) return { rows: [], more: false };
  const where = scope(table, day, sinceMs);
  const buckets = Math.min(MAX_BUCKETS, Math.max(1, Math.ceil(maxRows / ROWS_PER_BUCKET)));
  const sums = await Promise.all(stores.map((s) => bucketSums(s, table, where, buckets)));
  const all = [...new Set(sums.flatMap((m) => [...m.keys()]))].sort((a, b) => a - b);
  const differing = all.filter((b) => new Set(sums.map((m) => m.get(b) ?? '0/0')).size > 1);

  const out: RowDifference[] = [];
  for (const [i, bucket] of differing.entries()) {
    const perStore = await Promise.all(stores.map((s) => bucketRows(s, table, where, buckets, bucket)));
    const byKey = new Map<string, RowDifference>();
    perStore.forEach((rows, s) => {
      for (const { key, hash } of rows) {
        const id = JSON.stringify(Object.values(key));
        let entry = byKey.get(id);
        if (!entry) byKey.set(id, (entry = { key, stores: Object.fromEntries(stores.map((st) => [st.id, null])) }));
        entry.stores[stores[s].id] = hash;
      }
    });
    const found = [...byKey.entries()]
      .filter(([, d]) => new Set(Object.values(d.stores)).size > 1)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, d]) => d);
    for (const d of found) {
      if (out.length === limit) return { rows: out, more: true };
      out.push(d);
    }
    if (out.length === limit && i < differing.length - 1) return { rows: out, more: true };
  }
  return { rows: out, more: false };
}
