/** The bucket period of long/short ratios when the collector does not name one (ccxt timeframe spelling). */
export const DEFAULT_RATIO_PERIOD = '5m';
