import type { MarketInterface as Market, OpenInterest } from 'ccxt';
import type { OpenInterestRow } from '../../domain/rows';
import { base, MalformedItem, normalizeWith, nullable, snapshotTime, type Normalized } from './common';
import { contractSpec, sizesOn } from './sizes';

/**
 * Amount (the exchange's unit, as ccxt reports it) and/or value (quote); an item with neither is malformed. Beside
 * them the contract size and the amount in base currency (null where only a quote value is given: open interest
 * has no price to convert it with).
 */
export function openInterestRow(exchange: string, market: Market, oi: OpenInterest, receiveTime: number): OpenInterestRow {
  const amount = nullable(oi.openInterestAmount, 'openInterestAmount');
  const row = {
    ...base(exchange, market, snapshotTime(oi.timestamp, oi.info, receiveTime), receiveTime),
    openInterestAmount: amount,
    openInterestValue: nullable(oi.openInterestValue, 'openInterestValue'),
    contractSize: contractSpec(market).contractSize,
    baseAmount: amount === null ? null : sizesOn(exchange, market, amount, null).baseAmount,
  };
  if (row.openInterestAmount === null && row.openInterestValue === null) throw new MalformedItem('openInterestAmount and openInterestValue are both missing');
  return row;
}

export function normalizeOpenInterest(exchange: string, market: Market, oi: OpenInterest, receiveTime: number): Normalized<OpenInterestRow> {
  return normalizeWith('open_interest', (o: OpenInterest) => openInterestRow(exchange, market, o, receiveTime), oi, oi.info);
}
