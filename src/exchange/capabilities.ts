import type { Exchange, MarketInterface as Market } from 'ccxt';
import { DATA_TYPES, type DataType } from '../domain/data-types';
import { DATA_TYPE_FETCHES } from './data-types';
import { topPositionEndpoint } from './top-position';

/** Types that exist only for derivatives (ccxt refuses them for spot markets). */
export const CONTRACT_ONLY_TYPES: readonly DataType[] = ['funding_rate', 'open_interest', 'liquidations', 'lsr_top_position', 'lsr_all_account'];

export { CURRENCY_TYPES } from '../domain/data-types';

export function supportsType(exchange: Exchange, type: DataType): boolean {
  // no unified method: served through the exchange's implicit API where its venue file names one
  if (type === 'lsr_top_position') return topPositionEndpoint(exchange) !== undefined;
  return Boolean(exchange.has[DATA_TYPE_FETCHES[type].ccxtMethod]);
}

export function supportedTypes(exchange: Exchange): DataType[] {
  return DATA_TYPES.filter((t) => supportsType(exchange, t));
}

/** Why `type` cannot be collected for `market`, or undefined when it can. */
export function marketRefusal(type: DataType, market: Market): string | undefined {
  if (CONTRACT_ONLY_TYPES.includes(type) && !market.contract) return `${type} exists only for derivatives, and ${market.symbol} is a ${market.type} market`;
  return undefined;
}
