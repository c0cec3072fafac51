import type { MarketInterface as Market } from 'ccxt';
import { sizesOf, type AmountUnit, type ContractSpec, type Sizes } from '../../domain/sizes';
import { quirksOf } from '../venues';

/** A ccxt market's contracts: its contract size (null for spot, or a contract market ccxt gives none for) and whether it is inverse. */
export function contractSpec(market: Market): ContractSpec {
  const size = market.contract ? Number(market.contractSize) : NaN;
  return { contractSize: Number.isFinite(size) && size > 0 ? size : null, inverse: market.inverse === true };
}

/** The unit `exchange` states amounts in on `market`: its venue file's amountUnit, else ccxt's convention. */
export function amountUnit(exchange: string, market: Market): AmountUnit {
  return quirksOf(exchange).amountUnit?.(market) ?? (market.contract ? 'contracts' : 'base');
}

/** The sizes of an amount as `exchange` states it on `market`, at `price` (null: none known). */
export function sizesOn(exchange: string, market: Market, amount: number, price: number | null): Sizes {
  return sizesOf(amount, amountUnit(exchange, market), contractSpec(market), price);
}
