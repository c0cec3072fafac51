import type { DataType } from '../../domain/data-types';
import { FETCH_OPTION_DEFAULTS, STORED_OPTIONS, type FetchOptions } from '../../domain/fetch';

/**
 * Which stored rows a collector's fetches produce, known without asking the exchange: the options that matter
 * to its data type (with their defaults filled in), the symbol its rows are stored under, and the natural-key
 * columns its options pin. Used to tell two collectors apart (src/client/collector-overlap.ts) and to find where
 * a collector stopped (the storedCursors activity).
 */

/** The options a data type's fetch reads (STORED_OPTIONS), defaults filled in; options meant for other types are dropped. */
export function effectiveOptions(dataType: DataType, options: FetchOptions = {}): FetchOptions {
  const out: Record<string, unknown> = {};
  for (const name of STORED_OPTIONS[dataType]) out[name] = options[name] ?? FETCH_OPTION_DEFAULTS[name];
  return out as FetchOptions;
}

/** Whether two collectors of one data type fetch the same thing for a symbol they share. */
export function sameOptions(dataType: DataType, a: FetchOptions | undefined, b: FetchOptions | undefined): boolean {
  const x = effectiveOptions(dataType, a);
  const y = effectiveOptions(dataType, b);
  return STORED_OPTIONS[dataType].every((name) => x[name] === y[name]);
}

/**
 * The `symbol` column of a collector symbol's rows: the symbol itself, except for a volatility index, which is
 * stored per currency (a market symbol names its base, the part before '/': ccxt's unified symbol format, as
 * volatilityCurrency resolves it from the markets).
 */
export function storedSymbol(dataType: DataType, symbol: string): string {
  return dataType === 'volatility_index' ? symbol.split('/')[0] : symbol;
}

/** Natural-key columns besides exchange, symbol and time/id that a collector's options pin (column → value). */
export function seriesColumns(dataType: DataType, options: FetchOptions = {}): Record<string, string> {
  const effective = effectiveOptions(dataType, options);
  if (effective.period !== undefined) return { period: effective.period };
  if (effective.resolution !== undefined) return { resolution: String(effective.resolution) };
  return {};
}
