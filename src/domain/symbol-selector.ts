/**
 * `--symbols all`, `all:swap`, `all:USDT`, `all:swap:USDT`: every market of an exchange that passes the filters,
 * resolved against the exchange's listing each time its markets reload, so listings and delistings are followed.
 * A lower-case filter is a ccxt market type (spot, swap, future, option) or contract kind (linear, inverse); an
 * upper-case one a currency code the market is quoted or settled in. Filters of one kind are alternatives (any
 * may match), filters of different kinds must all match: `all:swap:future:USDT` = USDT-quoted or -settled swaps
 * and futures. Inactive markets (ccxt `active: false`: delisted, settling, suspended) are never selected.
 */
import type { DataType } from './data-types';

export const SELECTOR_ALL = 'all';

/** The listSymbols activity's input and result (exchange ids are ccxt's; symbols ccxt unified ones). */
export interface ListSymbolsInput {
  exchange: string;
  dataType: DataType;
  /** a selector's text, e.g. all:swap */
  selector: string;
}

export interface ListSymbolsResult {
  /** selected symbols, sorted */
  symbols: string[];
  /** markets the exchange lists in all (active or not) */
  markets: number;
}

const MARKET_TYPES = ['spot', 'swap', 'future', 'option'] as const;
const CONTRACT_KINDS = ['linear', 'inverse'] as const;

export interface SymbolSelector {
  /** as written, e.g. all:swap:USDT */
  text: string;
  types: string[];
  kinds: string[];
  currencies: string[];
}

/** What a selector reads of a ccxt market (its unified fields). */
export interface SelectableMarket {
  symbol: string;
  type?: string;
  quote?: string;
  settle?: string;
  linear?: boolean;
  inverse?: boolean;
  active?: boolean;
}

export class SymbolSelectorError extends Error {
  override name = 'SymbolSelectorError';
}

/** Whether --symbols names a selector rather than a list of symbols. */
export function isSymbolSelector(text: string): boolean {
  return text === SELECTOR_ALL || text.startsWith(`${SELECTOR_ALL}:`);
}

/** Parses a selector; throws SymbolSelectorError (one line: what is wrong, what to write) for anything else. */
export function parseSymbolSelector(text: string): SymbolSelector {
  if (!isSymbolSelector(text)) throw new SymbolSelectorError(`'${text}' is not a symbol selector; write all, or all: followed by filters, like all:swap or all:USDT`);
  const out: SymbolSelector = { text, types: [], kinds: [], currencies: [] };
  for (const filter of text.split(':').slice(1)) {
    if ((MARKET_TYPES as readonly string[]).includes(filter)) out.types.push(filter);
    else if ((CONTRACT_KINDS as readonly string[]).includes(filter)) out.kinds.push(filter);
    else if (/^[A-Z0-9]{2,12}$/.test(filter)) out.currencies.push(filter);
    else {
      throw new SymbolSelectorError(
        `selector filter '${filter}' in '${text}' is neither a market type (${MARKET_TYPES.join(', ')}), a contract kind (${CONTRACT_KINDS.join(', ')}) nor a currency code like USDT`,
      );
    }
  }
  return out;
}

/** Whether the selector takes this market (active, and every kind of filter matched). */
export function selectsMarket(selector: SymbolSelector, market: SelectableMarket): boolean {
  if (market.active === false) return false;
  if (selector.types.length && !selector.types.includes(market.type ?? '')) return false;
  if (selector.kinds.length && !selector.kinds.some((k) => (k === 'linear' ? market.linear : market.inverse) === true)) return false;
  if (selector.currencies.length && !selector.currencies.some((c) => c === market.quote || c === market.settle)) return false;
  return true;
}
