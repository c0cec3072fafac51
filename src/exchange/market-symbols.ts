import type { Exchange, MarketInterface as Market } from 'ccxt';
import type { DataType } from '../domain/data-types';
import { selectsMarket, type SymbolSelector } from '../domain/symbol-selector';
import { CURRENCY_TYPES, marketRefusal } from './capabilities';

/**
 * The symbols a selector takes from an exchange's loaded markets for a data type: active markets passing its
 * filters that the type fits (no funding rates for spot markets: capabilities.ts), sorted so a listing's
 * position never depends on the exchange's response order. Currency-keyed types (volatility_index) take
 * currency codes, not markets, and are refused by the CLI before a selector gets here.
 */
export function selectedSymbols(exchange: Exchange, dataType: DataType, selector: SymbolSelector): string[] {
  if (CURRENCY_TYPES.includes(dataType)) return [];
  return Object.values(exchange.markets ?? {})
    .filter((m): m is Market => m !== undefined && selectsMarket(selector, m) && marketRefusal(dataType, m) === undefined)
    .map((m) => m.symbol)
    .sort();
}
