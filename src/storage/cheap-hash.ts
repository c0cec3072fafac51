import { CityHash64Args } from './city-hash';
import { physicalColumns } from './columns';
import { decimalText } from './decimal-text';
import type { TableDef, TableField } from './tables';

/**
 * The cheap hash of a batch's rows, computable in ClickHouse SQL (over the stored rows) and in TS (over the rows the
 * write path is about to insert), bit for bit the same:
 *   cheap hash = Σ over rows of cityHash64(the row's own columns), mod 2^64, as UInt64 decimal text
 * Backups prove a store's rows with it (src/backup/native-io.ts, proveBatches; docs/backups.md): one aggregate per
 * table, no FINAL, no text building, far cheaper than the ledger checksum (src/storage/checksum.ts). The row's own
 * fields are hashed (not the batch stamps), in declaration order, one cityHash64 argument per physical column:
 *  - String, UInt32, UInt64, Float64 and Array(Float64) columns as they are;
 *  - Decimal(38, 18) as reinterpretAsString: its 16 little-endian two's-complement bytes with trailing zero bytes
 *    dropped (0 is the empty string); an Array(Decimal) (order book levels) as the array of each element's
 *    cityHash64 of those bytes;
 *  - Nullable(T) as two arguments, isNull (UInt8) and assumeNotNull (T's default where NULL: '', 0, no bytes).
 *
 * The SQL (cheapHashExpr) is part of backup archives' format: archives store sums computed with it, so its text must
 * never change. The TS side (rowCheapHash) follows how ClickHouse evaluates it (FunctionsHashing.h, CityHash v1.0.2:
 * src/storage/city-hash.ts), over the values as the write path stores them (src/storage/columns.ts encodeField):
 *  - a decimal JS number is stored as exactly decimalText(value) (src/storage/decimal-text.ts), i.e. the integer
 *    decimalText(value) × 10^18;
 *  - a Float64 (legacy kinds of schema versions 1-3) hashes by its IEEE-754 bits, -0 as 0 (JSON carries -0 as 0);
 *  - null and undefined are NULL; so is a field the row lacks that a migration added (TableField.addedIn), as the
 *    store holds it for rows written before the migration.
 * The same value on ClickHouse 18.16 and current releases (test/storage/cheap-hash.test.ts checks both).
 */

function hashArgs(column: string, type: string): string[] {
  const nullable = /^Nullable\((.*)\)$/.exec(type);
  if (nullable) return [`isNull(${column})`, ...hashArgs(`assumeNotNull(${column})`, nullable[1])];
  const array = /^Array\((.*)\)$/.exec(type);
  if (array) return array[1].startsWith('Decimal') ? [`arrayMap(x -> cityHash64(reinterpretAsString(x)), ${column})`] : [column];
  if (type.startsWith('Decimal')) return [`reinterpretAsString(${column})`];
  return [column];
}

/** The fields the cheap hash covers: the row's own (def.fields, never the stamps), server-side insert times left out. */
function hashedFields(def: TableDef): readonly TableField[] {
  return def.fields.filter((f) => f.kind !== 'insertTime');
}

/** SQL: one stored row's cheap hash (UInt64) over its own fields (not the batch stamps), the term `sum()` adds up. */
export function cheapHashExpr(def: TableDef): string {
  const args = hashedFields(def).flatMap((f) => physicalColumns(f.kind, f.column).flatMap((c) => hashArgs(c.name, c.type)));
  return `cityHash64(${args.join(', ')})`;
}

// --- decimals: the bytes reinterpretAsString gives for a stored Decimal(38, 18) ---

/** reinterpretAsString of the last decimal converted: 16 bytes little-endian, `decimalLength` of them kept. */
const decimalBytes = new Uint8Array(16);
const decimalWords = new DataView(decimalBytes.buffer);

/** High half of mul32's last product. */
let P = 0;

/** The exact 64-bit product of two uint32 (given as int32 bit patterns): returns the low half, leaves the high in P. */
function mul32(a: number, b: number): number {
  const a0 = a & 0xffff, a1 = a >>> 16, b0 = b & 0xffff, b1 = b >>> 16;
  const p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0;
  const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  P = (a1 * b1 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16)) | 0;
  return Math.imul(a, b);
}

const TWO32 = 0x100000000;
const POW10 = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9];
/** 10^s for s = 0..18 as a UInt64: its high and low int32 halves */
const POW10_HIGH = Int32Array.from({ length: 19 }, (_, s) => Number((10n ** BigInt(s)) >> 32n));
const POW10_LOW = Int32Array.from({ length: 19 }, (_, s) => Number((10n ** BigInt(s)) & 0xffffffffn) | 0);

/** Writes the 128-bit two's complement (w0 least significant) to decimalBytes; returns the length without trailing zero bytes. */
function writeDecimal(negative: boolean, w0: number, w1: number, w2: number, w3: number): number {
  if (negative) {
    // -w = ~w + 1
    let t = (~w0 >>> 0) + 1;
    w0 = t | 0;
    t = (~w1 >>> 0) + (t > 0xffffffff ? 1 : 0);
    w1 = t | 0;
    t = (~w2 >>> 0) + (t > 0xffffffff ? 1 : 0);
    w2 = t | 0;
    w3 = (~w3 + (t > 0xffffffff ? 1 : 0)) | 0;
  }
  decimalWords.setInt32(0, w0, true);
  decimalWords.setInt32(4, w1, true);
  decimalWords.setInt32(8, w2, true);
  decimalWords.setInt32(12, w3, true);
  let length = 16;
  while (length > 0 && decimalBytes[length - 1] === 0) length--;
  return length;
}

/**
 * The stored integer of a decimal text with more than 19 significant digits (20 integer digits, or 18 fractional
 * ones behind a large integer part), digit by digit on eight 16-bit limbs: rare, so simple.
 */
function wideDecimal(text: string, negative: boolean, fracDigits: number): number {
  const limbs = [0, 0, 0, 0, 0, 0, 0, 0];
  const mulAdd = (m: number, a: number): void => {
    let carry = a;
    for (let k = 0; k < 8; k++) {
      const t = limbs[k] * m + carry;
      carry = Math.floor(t / 65536);
      limbs[k] = t - carry * 65536;
    }
  };
  for (let i = negative ? 1 : 0; i < text.length; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d >= 0 && d <= 9) mulAdd(10, d);
  }
  for (let scale = 18 - fracDigits; scale > 0; scale -= 9) mulAdd(POW10[Math.min(scale, 9)], 0);
  const w = (k: number): number => (limbs[2 * k] + limbs[2 * k + 1] * 65536) | 0;
  return writeDecimal(negative, w(0), w(1), w(2), w(3));
}

/**
 * Reads a plain decimal text (-?digits[.digits]) with at most 20 integer and 18 fractional digits into
 * decimalBytes; returns the number of bytes reinterpretAsString keeps, or -1 when the text is not such a decimal.
 * Up to 19 significant digits D (every double's shortest text has at most 17): the stored integer is
 * D × 10^(18 - fractional digits), one 64 × 64 → 128-bit product; more go through wideDecimal.
 */
function parseDecimal(text: string): number {
  const n = text.length;
  const negative = text.charCodeAt(0) === 45;
  let head = 0; // the first 15 significant digits (exact as a double)
  let tail = 0; // up to 4 more
  let tailDigits = 0;
  let significant = 0;
  let intDigits = 0;
  let fracDigits = -1;
  for (let i = negative ? 1 : 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 46 && fracDigits < 0) {
      fracDigits = 0;
      continue;
    }
    const d = c - 48;
    if (d < 0 || d > 9) return -1;
    if (fracDigits < 0) intDigits++;
    else fracDigits++;
    if (significant === 0 && d === 0) continue;
    if (++significant <= 15) head = head * 10 + d;
    else {
      tail = tail * 10 + d;
      tailDigits++;
    }
  }
  if (intDigits === 0 || intDigits > 20 || fracDigits === 0 || fracDigits > 18) return -1;
  const scale = 18 - Math.max(fracDigits, 0);
  if (significant > 19) return wideDecimal(text, negative, Math.max(fracDigits, 0));
  // D = head × 10^tailDigits + tail, below 10^19 < 2^64
  let dl = head | 0;
  let dh = Math.floor(head / TWO32);
  if (tailDigits > 0) {
    dl = mul32(dl, POW10[tailDigits]);
    dh = (P + Math.imul(dh, POW10[tailDigits])) | 0;
    const t = (dl >>> 0) + tail;
    dl = t | 0;
    dh = (dh + (t > 0xffffffff ? 1 : 0)) | 0;
  }
  // D × 10^scale, 128 bits: (dh·2^32 + dl)(ph·2^32 + pl)
  const ph = POW10_HIGH[scale];
  const pl = POW10_LOW[scale];
  const w0 = mul32(dl, pl);
  const llH = P;
  const lhL = mul32(dl, ph);
  const lhH = P;
  const hlL = mul32(dh, pl);
  const hlH = P;
  const hhL = mul32(dh, ph);
  const hhH = P;
  let t = (llH >>> 0) + (lhL >>> 0) + (hlL >>> 0);
  const w1 = t | 0;
  t = (lhH >>> 0) + (hlH >>> 0) + (hhL >>> 0) + Math.floor(t / TWO32);
  const w2 = t | 0;
  const w3 = (hhH + Math.floor(t / TWO32)) | 0;
  return writeDecimal(negative, w0, w1, w2, w3);
}

/**
 * The bytes of the Decimal(38, 18) a JS number is stored as, in decimalBytes; returns how many reinterpretAsString
 * keeps. JS's own text of x is decimalText(x) whenever it is a plain decimal that fits (it never ends in a
 * fractional zero, and -0 prints as 0): only other numbers (exponents, over 18 fractional digits) go through
 * decimalText. Throws RangeError where decimalText does (not finite, beyond Decimal(38, 18)).
 */
function decimalLength(x: number): number {
  const length = parseDecimal(String(x));
  if (length >= 0) return length;
  const text = decimalText(x);
  const exact = parseDecimal(text);
  if (exact < 0) throw new RangeError(`${x}: decimal text '${text}' does not fit Decimal(38, 18)`);
  return exact;
}

// --- one row ---

const isNull = (value: unknown): boolean => value === null || value === undefined;
type Level = readonly [number, number];

function str(value: unknown, field: TableField): string {
  if (typeof value !== 'string') throw new TypeError(`${field.field}: expected a string, got ${typeof value}`);
  return value;
}

function num(value: unknown, field: TableField): number {
  if (typeof value !== 'number') throw new TypeError(`${field.field}: expected a number, got ${typeof value}`);
  return value;
}

/** An Array(Decimal) column (one side of the levels, prices or amounts): its length, then each element's cityHash64. */
function decimalArray(args: CityHash64Args, levels: readonly Level[], side: 0 | 1): void {
  args.uint(levels.length);
  for (const level of levels) args.cityHashOf(decimalBytes, 0, decimalLength(level[side]));
}

function floatArray(args: CityHash64Args, levels: readonly Level[], side: 0 | 1): void {
  args.uint(levels.length);
  for (const level of levels) args.float64(level[side] === 0 ? 0 : level[side]);
}

/** Feeds one row's cityHash64 arguments, as cheapHashExpr lists them. */
function feedRow(args: CityHash64Args, fields: readonly TableField[], row: object): void {
  const values = row as Record<string, unknown>;
  for (const f of fields) {
    const value = values[f.field];
    switch (f.kind) {
      case 'string':
        args.string(str(value, f));
        break;
      case 'nullableString':
        if (isNull(value)) args.uint(1).string('');
        else args.uint(0).string(str(value, f));
        break;
      case 'uint32':
      case 'uint64':
        args.uint(num(value, f));
        break;
      case 'nullableUint64':
        if (isNull(value)) args.uint(1).uint(0);
        else args.uint(0).uint(num(value, f));
        break;
      case 'hash64':
        args.uint64Text(str(value, f));
        break;
      case 'decimal':
        args.bytes(decimalBytes, 0, decimalLength(num(value, f)));
        break;
      case 'nullableDecimal':
        if (isNull(value)) args.uint(1).bytes(decimalBytes, 0, 0);
        else args.uint(0).bytes(decimalBytes, 0, decimalLength(num(value, f)));
        break;
      case 'levels':
        decimalArray(args, value as Level[], 0);
        decimalArray(args, value as Level[], 1);
        break;
      case 'float64': {
        const x = num(value, f);
        args.float64(x === 0 ? 0 : x);
        break;
      }
      case 'nullableFloat64':
        if (isNull(value)) args.uint(1).float64(0);
        else {
          const x = num(value, f);
          args.uint(0).float64(x === 0 ? 0 : x);
        }
        break;
      case 'floatLevels':
        floatArray(args, value as Level[], 0);
        floatArray(args, value as Level[], 1);
        break;
      case 'insertTime':
        break;
    }
  }
}

const fieldsByDef = new WeakMap<TableDef, readonly TableField[]>();

function fieldsOf(def: TableDef): readonly TableField[] {
  let fields = fieldsByDef.get(def);
  if (!fields) fieldsByDef.set(def, (fields = hashedFields(def)));
  return fields;
}

const args = new CityHash64Args();

/** One row's cheap hash (UInt64): the SQL cheapHashExpr(def) over the row as the store will hold it. */
export function rowCheapHash(def: TableDef, row: object): bigint {
  feedRow(args.reset(), fieldsOf(def), row);
  return args.value();
}

/** The rows' cheap hashes summed mod 2^64, as decimal text: SQL `toString(sum(cheapHashExpr(def)))`; '0' for no rows. */
export function rowsCheapHash(def: TableDef, rows: readonly object[]): string {
  const fields = fieldsOf(def);
  let hi = 0;
  let lo = 0;
  for (const row of rows) {
    feedRow(args.reset(), fields, row);
    const s = (lo >>> 0) + (args.lo >>> 0);
    lo = s | 0;
    hi = (hi + args.hi + (s > 0xffffffff ? 1 : 0)) | 0;
  }
  return ((BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0)).toString();
}
