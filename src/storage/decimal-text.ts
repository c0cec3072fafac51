/**
 * Exact decimal text for the numbers MarketPrism stores (prices, amounts, ratios, rates, values).
 *
 * ccxt hands us JS doubles parsed from the exchange's decimal text ("2.236"). The shortest decimal that reads
 * back as the same double is that text again (for every decimal of up to 15 significant digits, and in practice
 * for every value an exchange publishes), so MarketPrism stores exactly that decimal in a Decimal(38, 18)
 * column: ClickHouse parses decimal text into a Decimal exactly, whereas its Float64 text parser can land one
 * ULP off (ClickHouse issues #17933, #1665, #60146). docs/storage.md, "Exact decimals", says what "exact" means.
 *
 * A double whose shortest decimal has more than 18 fractional digits (float arithmetic such as
 * 0.07 * 0.001 = 0.00007000000000000001, never an exchange's own text) is rounded to 18 fractional digits; the
 * text stored is then the shortest decimal of the double nearest that rounded value, so decimalText is a fixed
 * point of its own output: decimalText(Number(decimalText(x))) === decimalText(x). Copying a batch between stores
 * (read as JS numbers, written again) therefore never changes a stored value or its checksum.
 */

/** Fractional digits a stored decimal keeps: the scale of DECIMAL_TYPE. */
export const DECIMAL_SCALE = 18;
/** Integer digits a stored decimal can hold: 38 - DECIMAL_SCALE. */
export const DECIMAL_INTEGER_DIGITS = 20;
/** The ClickHouse type of a stored decimal, spelled as system.columns reports it (18.16 and current releases). */
export const DECIMAL_TYPE = `Decimal(38, ${DECIMAL_SCALE})`;

/** A plain decimal (no exponent) that Decimal(38, 18) holds: at most 20 integer and 18 fractional digits. */
export const FITTING_DECIMAL = /^-?\d{1,20}(\.\d{1,18})?$/;

/** JS's shortest round-trip text of x, written without an exponent ("1e-8" → "0.00000001"). */
export function plainShortest(x: number): string {
  const s = String(x);
  const e = s.indexOf('e');
  if (e < 0) return s;
  const negative = s.startsWith('-');
  const mantissa = s.slice(negative ? 1 : 0, e);
  const exponent = Number(s.slice(e + 1));
  const dot = mantissa.indexOf('.');
  const digits = mantissa.replace('.', '');
  // position of the decimal point within `digits` after applying the exponent
  const point = (dot < 0 ? mantissa.length : dot) + exponent;
  let out: string;
  if (point <= 0) out = `0.${'0'.repeat(-point)}${digits}`;
  else if (point >= digits.length) out = digits + '0'.repeat(point - digits.length);
  else out = `${digits.slice(0, point)}.${digits.slice(point)}`;
  return negative ? `-${out}` : out;
}

function fractionDigits(text: string): number {
  const dot = text.indexOf('.');
  return dot < 0 ? 0 : text.length - dot - 1;
}

/** "1.500" → "1.5", "2.000" → "2", "-0" → "0": the one spelling of a decimal value (TS and SQL agree on it). */
export function normalizeDecimal(text: string): string {
  let t = text.includes('.') ? text.replace(/\.?0+$/, '') : text;
  if (/^-0*$/.test(t) || t === '') t = '0';
  return t;
}

/** A plain decimal rounded half away from zero to DECIMAL_SCALE fractional digits. */
function roundToScale(text: string): string {
  const negative = text.startsWith('-');
  const [int, frac = ''] = text.slice(negative ? 1 : 0).split('.');
  let scaled = BigInt(int + frac.slice(0, DECIMAL_SCALE).padEnd(DECIMAL_SCALE, '0'));
  if (frac.length > DECIMAL_SCALE && frac[DECIMAL_SCALE] >= '5') scaled += 1n;
  const digits = scaled.toString().padStart(DECIMAL_SCALE + 1, '0');
  const rounded = `${digits.slice(0, -DECIMAL_SCALE)}.${digits.slice(-DECIMAL_SCALE)}`;
  return normalizeDecimal(negative ? `-${rounded}` : rounded);
}

/**
 * The decimal text MarketPrism stores for a finite double x: its shortest round-trip decimal without exponent,
 * normalized ("0" for ±0), rounded to 18 fractional digits when it has more (see the module comment).
 * Throws RangeError for a non-finite x or |x| ≥ 1e20 (beyond Decimal(38, 18)).
 */
export function decimalText(x: number): string {
  if (!Number.isFinite(x)) throw new RangeError(`${x} is not a finite number`);
  let text = normalizeDecimal(plainShortest(x));
  if (fractionDigits(text) > DECIMAL_SCALE) {
    const rounded = roundToScale(text);
    const nearest = normalizeDecimal(plainShortest(Number(rounded)));
    text = fractionDigits(nearest) <= DECIMAL_SCALE ? nearest : rounded;
  }
  const intDigits = text.replace(/^-/, '').split('.')[0].length;
  if (intDigits > DECIMAL_INTEGER_DIGITS) throw new RangeError(`${x} has more than ${DECIMAL_INTEGER_DIGITS} integer digits, beyond ${DECIMAL_TYPE}`);
  return text;
}

/**
 * SQL: the normalized text of a stored Decimal column (18.16 prints 18 fractional digits, current releases none
 * extra): the leading match of sign, integer digits and fractional digits up to the last non-zero one. `extract`
 * with a left-anchored pattern, not `replaceRegexpOne` of the trailing zeros: the same text, 2.5× faster on 18.16
 * (0.16 s against 0.39 s per million values), and every checksum over the stores evaluates it for each decimal
 * column of each row (docs/performance.md).
 */
export function decimalTextSql(expr: string): string {
  return `extract(toString(${expr}), '^-?[0-9]+(?:\\\\.[0-9]*[1-9])?')`;
}
