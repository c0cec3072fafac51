import type { Exchange, LongShortRatio, MarketInterface as Market } from 'ccxt';

/**
 * ccxt has no unified method for the top traders' long/short position ratio, so it is read through the
 * exchange's implicit API (still ccxt: same signing, rate limiter and error mapping). One entry per
 * exchange that offers it; the rows are parsed with the exchange's own ccxt parser for ratio history.
 */
interface ImplicitEndpoint {
  method: string;
  request(market: Market, period: string, since: number | undefined): Record<string, unknown>;
  /** the response's items in the shape the exchange's parseLongShortRatio reads */
  items(response: unknown): unknown[];
}

const asList = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

export const TOP_POSITION_RATIO_ENDPOINTS: Record<string, ImplicitEndpoint> = {
  okx: {
    method: 'publicGetRubikStatContractsLongShortPositionRatioContractTopTrader',
    request: (market, period, since) => ({ instId: market.id, period, ...(since !== undefined && { begin: since }) }),
    // rubik answers [[ts, ratio], ...]; okx's fetchLongShortRatioHistory maps them the same way
    items: (response) =>
      asList((response as { data?: unknown }).data).map((entry) => (Array.isArray(entry) ? { timestamp: entry[0], longShortRatio: entry[1] } : entry)),
  },
  binanceusdm: {
    method: 'fapiDataGetTopLongShortPositionRatio',
    request: (market, period, since) => ({ symbol: market.id, period, ...(since !== undefined && { startTime: since }) }),
    items: asList,
  },
};

type ImplicitCall = (params: Record<string, unknown>) => Promise<unknown>;

export function topPositionEndpoint(exchange: Exchange): ImplicitEndpoint | undefined {
  const endpoint = TOP_POSITION_RATIO_ENDPOINTS[exchange.id];
  return endpoint && typeof (exchange as unknown as Record<string, unknown>)[endpoint.method] === 'function' ? endpoint : undefined;
}

export async function fetchTopPositionRatios(exchange: Exchange, symbol: string, period: string, since: number | undefined): Promise<LongShortRatio[]> {
  const endpoint = topPositionEndpoint(exchange);
  if (!endpoint) throw new Error(`${exchange.id} has no top-trader position ratio endpoint in ccxt`);
  const market = exchange.market(symbol);
  const exchangePeriod = (exchange.timeframes as Record<string, string> | undefined)?.[period] ?? period;
  const call = (exchange as unknown as Record<string, ImplicitCall>)[endpoint.method].bind(exchange);
  const response = await call(endpoint.request(market, exchangePeriod, since));
  return exchange.parseLongShortRatioHistory(endpoint.items(response), market);
}
