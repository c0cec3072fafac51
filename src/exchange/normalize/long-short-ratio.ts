import type { LongShortRatio, MarketInterface as Market } from 'ccxt';
import type { LongShortRatioRow } from '../../domain/rows';
import { base, normalizeWith, nullable, num, type Normalized } from './common';

/** Long and short shares where the raw item has them (binance longAccount/shortAccount, bybit buyRatio/sellRatio). */
const LONG_FIELDS = ['longAccount', 'longPosition', 'buyRatio'] as const;
const SHORT_FIELDS = ['shortAccount', 'shortPosition', 'sellRatio'] as const;

function rawField(info: unknown, names: readonly string[]): unknown {
  if (info === null || typeof info !== 'object') return undefined;
  for (const name of names) if ((info as Record<string, unknown>)[name] !== undefined) return (info as Record<string, unknown>)[name];
  return undefined;
}

/** One ratio bucket. `ratio` is ccxt's LongShortRatio or, for implicit endpoints, the same fields read from the raw item. */
export function longShortRatioRow(exchange: string, market: Market, ratio: LongShortRatio, period: string, receiveTime: number): LongShortRatioRow {
  return {
    ...base(exchange, market, ratio.timestamp, receiveTime),
    longShortRatio: num(ratio.longShortRatio, 'longShortRatio'),
    longAccount: nullable(rawField(ratio.info, LONG_FIELDS), 'longAccount'),
    shortAccount: nullable(rawField(ratio.info, SHORT_FIELDS), 'shortAccount'),
    period,
  };
}

/** Both ratio tables (lsr_all_account, lsr_top_position) hold this one row shape, checked as lsr_all_account. */
export function normalizeLongShortRatio(exchange: string, market: Market, ratio: LongShortRatio, period: string, receiveTime: number): Normalized<LongShortRatioRow> {
  return normalizeWith('lsr_all_account', (r: LongShortRatio) => longShortRatioRow(exchange, market, r, period, receiveTime), ratio, ratio.info);
}
