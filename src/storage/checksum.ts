import { createHash } from 'node:crypto';
import { checksumText, checksumTextSql } from './columns';
import type { TableDef } from './tables';

/**
 * Order-independent checksum of a set of rows, computable in TS (before insert) and in ClickHouse SQL (over
 * the stored rows), so a store can prove it holds a batch exactly:
 *   checksum = Σ over rows of the first 8 bytes (little-endian UInt64) of MD5(canonical text of the row), mod 2^64
 * The canonical text joins the row's own fields (not the batch id / ingest time stamps, which differ per store
 * and per write) with ',', each field encoded by src/storage/columns.ts so TS and SQL produce the same bytes:
 * strings as hex, integers in decimal, floats as their IEEE-754 bits. MD5 is used as a fast mixing function,
 * not for security. The result is a UInt64 as a decimal string (JSON-safe for workflow history).
 *
 * A field a migration added to an existing table (TableField.addedIn) is left out of the text while it is NULL
 * (its ',' too): rows written before the field existed read back with NULL there, and must keep the checksum
 * their batch's ledger entry recorded, or copyBatch and restores would reject them.
 */
const MOD = 2n ** 64n;

function checksummed(def: TableDef) {
  return def.fields.filter((f) => f.kind !== 'insertTime');
}

const isNull = (value: unknown): boolean => value === null || value === undefined;

export function canonicalRowText(def: TableDef, row: object): string {
  const values = row as Record<string, unknown>;
  return checksummed(def)
    .filter((f) => f.addedIn === undefined || !isNull(values[f.field]))
    .map((f) => checksumText(f.kind, values[f.field]))
    .join(',');
}

export function rowHash(def: TableDef, row: object): bigint {
  return createHash('md5').update(canonicalRowText(def, row), 'utf8').digest().readBigUInt64LE(0);
}

export function rowsChecksum(def: TableDef, rows: readonly object[]): string {
  let sum = 0n;
  for (const row of rows) sum = (sum + rowHash(def, row)) % MOD;
  return sum.toString();
}

/** The same checksum as a SQL aggregate over the table's stored rows (UInt64 sum wraps mod 2^64 in ClickHouse). */
export function checksumSql(def: TableDef): string {
  return `sum(${rowHashExpr(def)})`;
}

/** SQL of one stored row's hash (UInt64): rowHash in SQL, the term checksumSql sums. */
export function rowHashExpr(def: TableDef): string {
  const fields = checksummed(def);
  if (fields[0]?.addedIn !== undefined) throw new Error(`${def.name}: the first checksummed field cannot be one a migration added`);
  // each later field carries its own ',' separator, so an added field that is NULL drops out together with it
  const parts = fields.map((f, i) => {
    const text = checksumTextSql(f.kind, f.column);
    if (i === 0) return text;
    return f.addedIn === undefined ? `',', ${text}` : `if(isNull(${f.column}), '', concat(',', ${text}))`;
  });
  const text = parts.length === 1 ? parts[0] : `concat(${parts.join(', ')})`;
  return `reinterpretAsUInt64(MD5(${text}))`;
}
