import type { Exchange, LongShortRatio } from 'ccxt';
import { quirksOf, type ImplicitEndpoint } from './venues';

type ImplicitCall = (params: Record<string, unknown>) => Promise<unknown>;

/**
 * ccxt has no unified method for the top traders' long/short position ratio, so it is read through the
 * exchange's implicit API named in its venue file (venues/*.ts: `topPositionRatio`), when this ccxt build has it.
 */
export function topPositionEndpoint(exchange: Exchange): ImplicitEndpoint | undefined {
  const endpoint = quirksOf(exchange.id).topPositionRatio;
  return endpoint && typeof (exchange as unknown as Record<string, unknown>)[endpoint.method] === 'function' ? endpoint : undefined;
}

/**
 * The ratio history of `symbol` at `period` (ccxt timeframe spelling, mapped to the exchange's) from `since`
 * (epoch ms) on, parsed with the exchange's own ccxt parser. Throws when the exchange has no such endpoint.
 */
export async function fetchTopPositionRatios(exchange: Exchange, symbol: string, period: string, since: number | undefined): Promise<LongShortRatio[]> {
  const endpoint = topPositionEndpoint(exchange);
  if (!endpoint) throw new Error(`${exchange.id} has no top-trader position ratio endpoint in ccxt`);
  const market = exchange.market(symbol);
  const exchangePeriod = (exchange.timeframes as Record<string, string> | undefined)?.[period] ?? period;
  const call = (exchange as unknown as Record<string, ImplicitCall>)[endpoint.method].bind(exchange);
  const response = await call(endpoint.request(market, exchangePeriod, since));
  return exchange.parseLongShortRatioHistory(endpoint.items(response), market);
}
