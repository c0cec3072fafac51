/**
 * What a row value may be, declared once for both rooms that need it: the normalizers (src/exchange/normalize)
 * quarantine an item whose row breaks a bound, and the row codec (src/storage/columns.ts) refuses a batch that
 * does. Both call valueProblem, so a value the store would refuse is caught per item before it can poison a batch.
 */

/**
 * How a row field is held; every market table column is declared with one (src/storage/tables.ts). Prices,
 * amounts, ratios, rates and values are `decimal` / `nullableDecimal`, order book levels `levels` (pairs of
 * decimals), all stored as Decimal(38, 18). `float64`, `nullableFloat64` and `floatLevels` are the kinds of schema
 * versions 1-3 (Float64 columns), kept only so tests can build such a store and migrate it.
 */
export type ValueKind =
  | 'string'
  | 'nullableString'
  | 'uint64'
  | 'nullableUint64'
  | 'uint32'
  | 'decimal'
  | 'nullableDecimal'
  | 'levels'
  | 'float64'
  | 'nullableFloat64'
  | 'floatLevels';

/**
 * Integer ranges. UInt64 columns hold epoch ms and counts that travel as JS numbers (JSON, Temporal payloads),
 * so the bound is the largest integer a double holds exactly, not 2^64 - 1.
 */
export const INTEGER_BOUNDS = {
  uint64: Number.MAX_SAFE_INTEGER,
  uint32: 0xffff_ffff,
} as const;

/**
 * Decimal(38, 18) holds 20 integer digits: a decimal value must be finite with |value| < 1e20. Smaller values
 * always fit: digits beyond the 18th fractional one are rounded, never refused (src/storage/decimal-text.ts).
 */
export const DECIMAL_LIMIT = 1e20;

/** Why a value does not fit: where inside it (`[3][1]` for a level), the offending value, what was expected. */
export interface ValueProblem {
  at: string;
  value: unknown;
  expected: string;
}

/** A value as it appears in an error message (JSON.stringify would show NaN as null). */
export function shown(value: unknown): string {
  if (typeof value === 'number' || value === undefined || typeof value === 'bigint') return String(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** `<where><at> = <value>: expected …`, the one-line form both rooms report. */
export function describeProblem(where: string, problem: ValueProblem): string {
  return `${where}${problem.at} = ${shown(problem.value)}: expected ${problem.expected}`;
}

const isNull = (value: unknown): boolean => value === null || value === undefined;
const problem = (value: unknown, expected: string, at = ''): ValueProblem => ({ at, value, expected });

function finiteProblem(value: unknown, at = ''): ValueProblem | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? undefined : problem(value, 'a finite number', at);
}

function decimalProblem(value: unknown, at = ''): ValueProblem | undefined {
  return finiteProblem(value, at) ?? (Math.abs(value as number) < DECIMAL_LIMIT ? undefined : problem(value, 'a magnitude below 1e20 (Decimal(38, 18) holds 20 integer digits)', at));
}

function levelsProblem(value: unknown, number: (value: unknown, at: string) => ValueProblem | undefined): ValueProblem | undefined {
  if (!Array.isArray(value)) return problem(value, 'an array of [price, amount] pairs');
  for (let i = 0; i < value.length; i++) {
    const level: unknown = value[i];
    if (!Array.isArray(level) || level.length !== 2) return problem(level, 'a [price, amount] pair', `[${i}]`);
    const bad = number(level[0], `[${i}][0]`) ?? number(level[1], `[${i}][1]`);
    if (bad) return bad;
  }
  return undefined;
}

function integerProblem(value: unknown, max: number): ValueProblem | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= max ? undefined : problem(value, `an integer from 0 to ${max}`);
}

/** Why `value` cannot be stored as `kind`, or undefined when it can. */
export function valueProblem(kind: ValueKind, value: unknown): ValueProblem | undefined {
  switch (kind) {
    case 'string':
      return typeof value === 'string' ? undefined : problem(value, 'a string');
    case 'nullableString':
      return isNull(value) || typeof value === 'string' ? undefined : problem(value, 'a string or null');
    case 'uint64':
      return integerProblem(value, INTEGER_BOUNDS.uint64);
    case 'nullableUint64':
      return isNull(value) ? undefined : integerProblem(value, INTEGER_BOUNDS.uint64);
    case 'uint32':
      return integerProblem(value, INTEGER_BOUNDS.uint32);
    case 'decimal':
      return decimalProblem(value);
    case 'nullableDecimal':
      return isNull(value) ? undefined : decimalProblem(value);
    case 'levels':
      return levelsProblem(value, decimalProblem);
    case 'float64':
      return finiteProblem(value);
    case 'nullableFloat64':
      return isNull(value) ? undefined : finiteProblem(value);
    case 'floatLevels':
      return levelsProblem(value, finiteProblem);
  }
}
