import type { Exchange, MarketInterface as Market } from 'ccxt';
import { quirksOf, type AllowedValues } from './venues';

/**
 * What each exchange accepts for the collector options it passes on (venues/*.ts): order book depths and
 * long/short ratio periods. A value the exchange refuses would fail every poll, so `collect start` checks it
 * first (src/cli/validate-collector.ts).
 */

/** "5, 10, 20" or "1 to 400". */
export function describeAllowed(allowed: AllowedValues): string {
  return 'values' in allowed ? allowed.values.join(', ') : `${allowed.min} to ${allowed.max}`;
}

function accepts(allowed: AllowedValues, value: number): boolean {
  return 'values' in allowed ? allowed.values.includes(value) : Number.isInteger(value) && value >= allowed.min && value <= allowed.max;
}

/** The book depths (levels per side) `exchange` accepts for `market`, or undefined when its venue file does not say. */
export function allowedDepths(exchange: Exchange, market: Market): AllowedValues | undefined {
  return quirksOf(exchange.id).orderBookDepths?.(market);
}

/** Why `depth` cannot be asked of `exchange` for `market`, or undefined when it can. */
export function depthRefusal(exchange: Exchange, market: Market, depth: number): string | undefined {
  const allowed = allowedDepths(exchange, market);
  if (!allowed || accepts(allowed, depth)) return undefined;
  return `${exchange.id} accepts order book depths ${describeAllowed(allowed)} for ${market.symbol}`;
}

/**
 * The long/short ratio periods `exchange` accepts, ccxt timeframe spelling: its venue file's list, else ccxt's
 * `exchange.timeframes` (candle timeframes: the best ccxt knows about an exchange without a venue file).
 */
export function allowedPeriods(exchange: Exchange): readonly string[] {
  return quirksOf(exchange.id).ratioPeriods ?? Object.keys(exchange.timeframes ?? {});
}

/** Why `period` cannot be asked of `exchange` for long/short ratios, or undefined when it can. */
export function periodRefusal(exchange: Exchange, period: string): string | undefined {
  const allowed = allowedPeriods(exchange);
  if (allowed.length === 0 || allowed.includes(period)) return undefined;
  return `${exchange.id} accepts long/short ratio periods ${allowed.join(', ')}`;
}

/** For --help: each exchange with a venue file and the depths and periods it accepts, one line each. */
export function describeVenueOptions(exchangeIds: readonly string[]): string[] {
  const kinds: Array<[string, Partial<Market>]> = [
    ['spot', { spot: true, swap: false, option: false, contract: false, type: 'spot' }],
    ['derivatives', { spot: false, swap: true, option: false, contract: true, type: 'swap' }],
  ];
  return exchangeIds.flatMap((id) => {
    const quirks = quirksOf(id);
    const depths = quirks.orderBookDepths ? [...new Set(kinds.map(([, market]) => describeAllowed(quirks.orderBookDepths!(market as Market))))] : [];
    const depthText =
      depths.length === 0 ? undefined : depths.length === 1 ? `depth ${depths[0]}` : `depth ${kinds.map(([kind, market]) => `${describeAllowed(quirks.orderBookDepths!(market as Market))} (${kind})`).join(' / ')}`;
    const parts = [depthText, quirks.ratioPeriods && `period ${quirks.ratioPeriods.join(',')}`].filter(Boolean);
    return parts.length ? [`${id}: ${parts.join('; ')}`] : [];
  });
}
