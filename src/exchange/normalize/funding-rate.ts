import type { FundingRate, MarketInterface as Market } from 'ccxt';
import type { FundingRateRow } from '../../domain/rows';
import { base, normalizeWith, nullable, num, snapshotTime, type Normalized } from './common';

export function fundingRateRow(exchange: string, market: Market, rate: FundingRate, receiveTime: number): FundingRateRow {
  return {
    ...base(exchange, market, snapshotTime(rate.timestamp, rate.info, receiveTime), receiveTime),
    fundingRate: num(rate.fundingRate, 'fundingRate'),
    // null when the exchange does not say (deribit's funding is continuous); a present but bad value is rejected
    fundingTime: nullable(rate.fundingTimestamp, 'fundingTimestamp'),
    markPrice: nullable(rate.markPrice, 'markPrice'),
    indexPrice: nullable(rate.indexPrice, 'indexPrice'),
  };
}

export function normalizeFundingRate(exchange: string, market: Market, rate: FundingRate, receiveTime: number): Normalized<FundingRateRow> {
  return normalizeWith('funding_rate', (r: FundingRate) => fundingRateRow(exchange, market, r, receiveTime), rate, rate.info);
}
