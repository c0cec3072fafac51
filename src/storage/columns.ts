import { describeProblem, shown, valueProblem, type ValueKind } from '../domain/values';
import { decimalText, decimalTextSql, DECIMAL_TYPE } from './decimal-text';
import { DecimalValue } from './json-each-row';

/**
 * Column kinds: how one TS field is stored, read back and checksummed. Every conversion between a TS value
 * and ClickHouse lives here, so the quirks of 18.16 are handled in one place:
 * - UInt64 comes back from JSON as a string (output_format_json_quote_64bit_integers); `decode` turns it into
 *   a number (epoch ms fit safely) or keeps it a decimal string when it is a 64-bit hash.
 * - Prices, amounts, ratios, rates and values are Decimal(38, 18) (`decimal`, `nullableDecimal`, `levels`): each
 *   JS number is sent as its exact decimal text without exponent (src/storage/decimal-text.ts), which ClickHouse
 *   parses exactly; its Float64 text parser can land one ULP off (docs/storage.md, "Exact decimals").
 * - Array(Tuple(...)) turns into Nested columns on 18.16, so order book levels are two parallel Decimal arrays.
 * - `float64`, `nullableFloat64` and `floatLevels` are the kinds of schema versions 1-3, kept only so tests can
 *   build such a store and migrate it. Float64 cannot be reinterpreted as UInt64 directly on 18.16;
 *   reinterpretAsString first (it drops trailing zero bytes, which reinterpretAsUInt64 pads back), giving the
 *   IEEE-754 bits in both TS and SQL.
 */
/** A row value's kind (src/domain/values.ts), or one of the two kinds only the store has. */
export type ColumnKind = ValueKind | 'hash64' | 'insertTime';

/** One physical ClickHouse column of a field. */
export interface PhysicalColumn {
  name: string;
  type: string;
  /** DEFAULT expression: filled by the server, never sent on insert */
  serverDefault?: string;
}

export class BadRowError extends Error {
  override name = 'BadRowError';
}

type Level = [number, number];

/** The value kinds' bounds (src/domain/values.ts, shared with the normalizers); a value outside them fails the row. */
function checked(kind: ValueKind, value: unknown, where: string): void {
  const problem = valueProblem(kind, value);
  if (problem) throw new BadRowError(describeProblem(where, problem));
}

/** The exact decimal a number is stored as; the caller has checked it fits Decimal(38, 18) (valueProblem). */
const exactDecimal = (value: number): DecimalValue => new DecimalValue(decimalText(value));

const bits = Buffer.alloc(8);
/**
 * IEEE-754 bits of a double as an unsigned decimal: the same text the SQL below produces. -0 counts as 0,
 * because JSON (Temporal payloads, JSONEachRow) carries -0 as 0.
 */
function floatBits(value: number): string {
  bits.writeDoubleLE(value === 0 ? 0 : value);
  return bits.readBigUInt64LE().toString();
}
const floatBitsSql = (expr: string): string => `toString(reinterpretAsUInt64(reinterpretAsString(${expr})))`;

/** A UInt64 as decimal text (how hashes and checksums travel: JSON numbers would round them). */
export function isUInt64Text(value: unknown): value is string {
  return typeof value === 'string' && /^\d{1,20}$/.test(value) && BigInt(value) < 2n ** 64n;
}

/** For TS → JSONEachRow: the physical columns' values (decimals as DecimalValue, written verbatim by jsonEachRow). */
export function encodeField(kind: ColumnKind, column: string, value: unknown, where: string): Record<string, unknown> {
  switch (kind) {
    case 'string':
    case 'uint64':
    case 'uint32':
    case 'float64':
      checked(kind, value, where);
      return { [column]: value };
    case 'nullableString':
    case 'nullableUint64':
    case 'nullableFloat64':
      checked(kind, value, where);
      return { [column]: value ?? null };
    case 'decimal':
      checked(kind, value, where);
      return { [column]: exactDecimal(value as number) };
    case 'nullableDecimal':
      checked(kind, value, where);
      return { [column]: value === null || value === undefined ? null : exactDecimal(value as number) };
    case 'hash64':
      if (!isUInt64Text(value)) {
        throw new BadRowError(`${where} = ${shown(value)}: expected a UInt64 as a decimal string`);
      }
      return { [column]: value }; // ClickHouse parses a quoted number into UInt64 exactly; JSON numbers would not be exact
    case 'levels': {
      checked(kind, value, where);
      const levels = value as Level[];
      return { [`${column}_price`]: levels.map((l) => exactDecimal(l[0])), [`${column}_amount`]: levels.map((l) => exactDecimal(l[1])) };
    }
    case 'floatLevels': {
      checked(kind, value, where);
      const levels = value as Level[];
      return { [`${column}_price`]: levels.map((l) => l[0]), [`${column}_amount`]: levels.map((l) => l[1]) };
    }
    case 'insertTime':
      return {};
  }
}

function safeNumber(raw: unknown, column: string): number {
  const n = typeof raw === 'string' ? Number(raw) : (raw as number);
  if (!Number.isSafeInteger(n)) throw new Error(`column ${column} holds ${String(raw)}, beyond what a JS number represents exactly`);
  return n;
}

/** For a JSONEachRow result row (columns selected with selectExpressions) → the TS value. */
export function decodeField(kind: ColumnKind, column: string, raw: Record<string, unknown>): unknown {
  switch (kind) {
    case 'string':
    case 'nullableString':
    case 'decimal':
    case 'nullableDecimal':
    case 'float64':
    case 'nullableFloat64':
      // a Decimal arrives as a JSON number: JSON.parse gives the nearest double, the one ccxt had
      return raw[column];
    case 'uint32':
    case 'uint64':
    case 'insertTime':
      return safeNumber(raw[column], column);
    case 'nullableUint64':
      return raw[column] === null || raw[column] === undefined ? null : safeNumber(raw[column], column);
    case 'hash64':
      return String(raw[column]);
    case 'levels':
    case 'floatLevels': {
      const prices = raw[`${column}_price`] as number[];
      const amounts = raw[`${column}_amount`] as number[];
      return prices.map((p, i): Level => [p, amounts[i]]);
    }
  }
}

export function physicalColumns(kind: ColumnKind, column: string): PhysicalColumn[] {
  switch (kind) {
    case 'string':
      return [{ name: column, type: 'String' }];
    case 'nullableString':
      return [{ name: column, type: 'Nullable(String)' }];
    case 'uint64':
    case 'hash64':
      return [{ name: column, type: 'UInt64' }];
    case 'nullableUint64':
      return [{ name: column, type: 'Nullable(UInt64)' }];
    case 'uint32':
      return [{ name: column, type: 'UInt32' }];
    case 'decimal':
      return [{ name: column, type: DECIMAL_TYPE }];
    case 'nullableDecimal':
      return [{ name: column, type: `Nullable(${DECIMAL_TYPE})` }];
    case 'levels':
      return [{ name: `${column}_price`, type: `Array(${DECIMAL_TYPE})` }, { name: `${column}_amount`, type: `Array(${DECIMAL_TYPE})` }];
    case 'float64':
      return [{ name: column, type: 'Float64' }];
    case 'nullableFloat64':
      return [{ name: column, type: 'Nullable(Float64)' }];
    case 'floatLevels':
      return [{ name: `${column}_price`, type: 'Array(Float64)' }, { name: `${column}_amount`, type: 'Array(Float64)' }];
    case 'insertTime':
      return [{ name: column, type: 'DateTime', serverDefault: 'now()' }];
  }
}

/**
 * What to SELECT for a field so decodeField can read it (DateTime becomes epoch ms, independent of server time
 * zone; a 64-bit hash becomes its decimal text on every release).
 */
export function selectExpressions(kind: ColumnKind, column: string): string[] {
  if (kind === 'insertTime') return [`toUInt64(${column}) * 1000 AS ${column}`];
  // 18.16 quotes UInt64 in JSON, current releases print a bare number that JSON.parse would round
  if (kind === 'hash64') return [`toString(${column}) AS ${column}`];
  return physicalColumns(kind, column).map((c) => c.name);
}

/**
 * The canonical text of one field, for row checksums (src/storage/checksum.ts). checksumText(kind, v) in TS
 * equals the SQL checksumTextSql(kind, column) over the stored value, byte for byte: a decimal is its stored
 * decimal text, normalized (no trailing zeros; 18.16 prints all 18 fractional digits, current releases none).
 */
export function checksumText(kind: ColumnKind, value: unknown): string {
  switch (kind) {
    case 'string':
      return Buffer.from(value as string, 'utf8').toString('hex');
    case 'nullableString':
      // hex never contains 'n', so NULL and every string (even '') stay distinct
      return value === null || value === undefined ? 'n' : Buffer.from(value as string, 'utf8').toString('hex');
    case 'uint32':
    case 'uint64':
    case 'hash64':
      return String(value);
    case 'nullableUint64':
      // a value reads as it did when the column was UInt64 (migration 6), so older rows keep their checksums
      return value === null || value === undefined ? 'n' : String(value);
    case 'decimal':
      return decimalText(value as number);
    case 'nullableDecimal':
      // a value hashes as it did when the column was Decimal (ticker.last before migration 6)
      return value === null || value === undefined ? 'n' : decimalText(value as number);
    case 'levels':
      return (value as Level[]).map(([p, a]) => `${decimalText(p)}:${decimalText(a)}`).join(';');
    case 'float64':
      return floatBits(value as number);
    case 'nullableFloat64':
      return value === null || value === undefined ? 'n' : floatBits(value as number);
    case 'floatLevels':
      return (value as Level[]).map(([p, a]) => `${floatBits(p)}:${floatBits(a)}`).join(';');
    case 'insertTime':
      throw new Error('server-side insert times are not part of a row checksum');
  }
}

export function checksumTextSql(kind: ColumnKind, column: string): string {
  switch (kind) {
    case 'string':
      return `lower(hex(${column}))`;
    case 'nullableString':
      return `if(isNull(${column}), 'n', lower(hex(assumeNotNull(${column}))))`;
    case 'uint32':
    case 'uint64':
    case 'hash64':
      return `toString(${column})`;
    case 'nullableUint64':
      return `if(isNull(${column}), 'n', toString(assumeNotNull(${column})))`;
    case 'decimal':
      return decimalTextSql(column);
    case 'nullableDecimal':
      return `if(isNull(${column}), 'n', ${decimalTextSql(`assumeNotNull(${column})`)})`;
    case 'levels':
      return `arrayStringConcat(arrayMap((p, a) -> concat(${decimalTextSql('p')}, ':', ${decimalTextSql('a')}), ${column}_price, ${column}_amount), ';')`;
    case 'float64':
      return floatBitsSql(column);
    case 'nullableFloat64':
      return `if(isNull(${column}), 'n', ${floatBitsSql(`assumeNotNull(${column})`)})`;
    case 'floatLevels':
      return `arrayStringConcat(arrayMap((p, a) -> concat(${floatBitsSql('p')}, ':', ${floatBitsSql('a')}), ${column}_price, ${column}_amount), ';')`;
    case 'insertTime':
      throw new Error('server-side insert times are not part of a row checksum');
  }
}
