/**
 * JSONEachRow bodies as the stores receive them. JSON.stringify cannot write a number as arbitrary decimal
 * text (it prints 1e-8 and rounds nothing, but it has no way to emit a Decimal's own digits), so decimals
 * travel as DecimalValue and are written verbatim: an unquoted JSON number without exponent, which ClickHouse
 * 18.16 and current releases parse into a Decimal exactly (18.16 refuses quoted decimals).
 */

/** A decimal already in its stored text (src/storage/decimal-text.ts): written into the body as is. */
export class DecimalValue {
  constructor(readonly text: string) {
    if (!/^-?\d+(\.\d+)?$/.test(text)) throw new RangeError(`'${text}' is not a plain decimal`);
  }
}

function jsonValue(value: unknown): string {
  if (value instanceof DecimalValue) return value.text;
  if (Array.isArray(value)) return `[${value.map(jsonValue).join(',')}]`;
  return JSON.stringify(value ?? null);
}

/** One JSON object per line, keys in the order given, each line ending in '\n'. */
export function jsonEachRow(rows: ReadonlyArray<Record<string, unknown>>): string {
  return rows
    .map((row) => `{${Object.entries(row).map(([k, v]) => `${JSON.stringify(k)}:${jsonValue(v)}`).join(',')}}\n`)
    .join('');
}
