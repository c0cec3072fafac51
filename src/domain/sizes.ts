/**
 * Sizes in every unit a desk compares across exchanges. An exchange states a size in its own unit: base currency
 * (spot, binance USD-M), contracts (okx swaps: 0.01 BTC each; binance COIN-M: 100 USD each) or quote currency
 * (deribit's inverse perpetuals: USD, in multiples of the 10 USD contract). The stored rows keep that amount as
 * given, and beside it the contract size and the same size in base and in quote currency, derived here exactly
 * (decimal arithmetic on the numbers' shortest decimal text, never float arithmetic: 0.1 × 3 is 0.3, not
 * 0.30000000000000004). Pure: the normalizers and the simulator's ground truth both use it.
 */

/** The unit an exchange states an amount in, for one market (src/exchange/venues: amountUnit). */
export type AmountUnit = 'base' | 'contracts' | 'quote';

/** What a market says about its contracts (ccxt's market.contract, contractSize, inverse). */
export interface ContractSpec {
  /** null for spot (no contracts) */
  contractSize: number | null;
  /** inverse contracts are sized in quote currency (USD), linear ones in base currency */
  inverse: boolean;
}

export interface Sizes {
  /** base-currency units (linear) or quote-currency units (inverse) per contract; null for spot */
  contractSize: number | null;
  /** the size in base currency; null when it needs a price and none is given */
  baseAmount: number | null;
  /** the size in quote currency (notional); null when it needs a price and none is given */
  quoteAmount: number | null;
}

/** Fractional digits kept where a division does not end (the scale of the stored Decimal(38, 18)). */
const SCALE = 18;

interface Scaled {
  /** value = n / 10^scale */
  n: bigint;
  scale: number;
}

/** A finite double as its shortest decimal text, exactly: "2.236" → 2236 / 10^3; "1e-8" → 1 / 10^8. */
function scaled(x: number): Scaled {
  const [mantissa, exp = '0'] = String(x).toLowerCase().split('e');
  const negative = mantissa.startsWith('-');
  const [int, frac = ''] = mantissa.replace('-', '').split('.');
  const n = BigInt(`${int}${frac}`) * (negative ? -1n : 1n);
  const scale = frac.length - Number(exp);
  return scale >= 0 ? { n, scale } : { n: n * 10n ** BigInt(-scale), scale: 0 };
}

function toNumber({ n, scale }: Scaled): number {
  const negative = n < 0n;
  const digits = (negative ? -n : n).toString().padStart(scale + 1, '0');
  const text = scale === 0 ? digits : `${digits.slice(0, digits.length - scale)}.${digits.slice(digits.length - scale)}`;
  return Number(negative ? `-${text}` : text);
}

/** a × b, exact in decimal (then the nearest double: exact for up to 15 significant digits). */
export function multiply(a: number, b: number): number {
  const x = scaled(a);
  const y = scaled(b);
  return toNumber({ n: x.n * y.n, scale: x.scale + y.scale });
}

/** a / b rounded half away from zero to 18 fractional digits. Throws RangeError when b is 0. */
export function divide(a: number, b: number): number {
  const x = scaled(a);
  const y = scaled(b);
  if (y.n === 0n) throw new RangeError('division by zero');
  // a / b = (x.n / 10^xs) / (y.n / 10^ys) = x.n · 10^(ys − xs + SCALE) / y.n, over 10^SCALE
  const shift = y.scale - x.scale + SCALE;
  const num = shift >= 0 ? x.n * 10n ** BigInt(shift) : x.n;
  const den = shift >= 0 ? y.n : y.n * 10n ** BigInt(-shift);
  const negative = num < 0n !== den < 0n;
  const [p, q] = [num < 0n ? -num : num, den < 0n ? -den : den];
  let quotient = p / q;
  if ((p % q) * 2n >= q) quotient += 1n;
  return toNumber({ n: negative ? -quotient : quotient, scale: SCALE });
}

/**
 * The sizes of `amount`, stated in `unit`, on a market with `spec`, at `price` (quote per base; null when the data
 * type has none). Spot: base is the amount. Linear contracts: base = contracts × contract size. Inverse contracts:
 * quote = contracts × contract size. Quote stated: as given. The other currency follows through the price.
 */
export function sizesOf(amount: number, unit: AmountUnit, spec: ContractSpec, price: number | null): Sizes {
  const contractSize = spec.contractSize;
  const usable = price !== null && price > 0 ? price : null;
  let base: number | null = null;
  let quote: number | null = null;
  if (unit === 'base') base = amount;
  else if (unit === 'quote') quote = amount;
  else if (contractSize === null) return { contractSize, baseAmount: null, quoteAmount: null }; // contracts of an unknown size
  else if (spec.inverse) quote = multiply(amount, contractSize);
  else base = multiply(amount, contractSize);
  if (base === null && quote !== null && usable !== null) base = divide(quote, usable);
  if (quote === null && base !== null && usable !== null) quote = multiply(base, usable);
  return { contractSize, baseAmount: base, quoteAmount: quote };
}
