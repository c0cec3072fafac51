/**
 * ccxt configuration that points each exchange at the simulator. config/marketprism.yaml holds the same
 * blocks for the default port (a test keeps the two in agreement).
 */
export interface SimulatorExchangeConfig {
  api: string | Record<string, string>;
  options: Record<string, unknown>;
}

export function simulatorExchangeConfigs(baseUrl: string): Record<string, SimulatorExchangeConfig> {
  const base = baseUrl.replace(/\/+$/, '');
  return {
    // okx: every REST call goes to urls.api.rest + /api/v5/...; only spot and swap listings are served
    okx: { api: `${base}/okx`, options: { fetchMarkets: { types: ['spot', 'swap'] } } },
    // binance spot: only the public /api/v3 family is served; margin/currency calls need keys and are off
    binance: {
      api: { public: `${base}/binance/api/v3`, v1: `${base}/binance/api/v1` },
      options: { fetchMarkets: { types: ['spot'] }, fetchMargins: false, fetchCurrencies: false },
    },
    // binance USD-M futures: /fapi/v1..v3 and /futures/data (long/short ratios)
    binanceusdm: {
      api: {
        fapiPublic: `${base}/binanceusdm/fapi/v1`,
        fapiPublicV2: `${base}/binanceusdm/fapi/v2`,
        fapiPublicV3: `${base}/binanceusdm/fapi/v3`,
        fapiData: `${base}/binanceusdm/futures/data`,
      },
      options: { fetchMarkets: { types: ['linear'] } },
    },
    // bybit v5: every API URL is the same host; spot and USDT perpetuals are served
    bybit: { api: `${base}/bybit`, options: { fetchMarkets: { types: ['spot', 'linear'] } } },
    // deribit: urls.api.rest + /api/v2/public/...; loadMarkets = get_currencies + ONE get_instruments for every
    // currency (fetchAllMarkets; false would ask once per currency). Only the BTC and ETH perpetuals are served.
    deribit: { api: `${base}/deribit`, options: { fetchMarkets: { fetchAllMarkets: true } } },
  };
}
