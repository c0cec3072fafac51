import type { MarketInterface as Market, OpenInterest } from 'ccxt';
import type { OpenInterestRow } from '../../domain/rows';
import { base, MalformedItem, normalizeWith, nullable, snapshotTime, type Normalized } from './common';

/** Amount (contracts, as ccxt reports it) and/or value (quote); an item with neither is malformed. */
export function openInterestRow(exchange: string, market: Market, oi: OpenInterest, receiveTime: number): OpenInterestRow {
  const row = {
    ...base(exchange, market, snapshotTime(oi.timestamp, oi.info, receiveTime), receiveTime),
    openInterestAmount: nullable(oi.openInterestAmount, 'openInterestAmount'),
    openInterestValue: nullable(oi.openInterestValue, 'openInterestValue'),
  };
  if (row.openInterestAmount === null && row.openInterestValue === null) throw new MalformedItem('openInterestAmount and openInterestValue are both missing');
  return row;
}

export function normalizeOpenInterest(exchange: string, market: Market, oi: OpenInterest, receiveTime: number): Normalized<OpenInterestRow> {
  return normalizeWith('open_interest', (o: OpenInterest) => openInterestRow(exchange, market, o, receiveTime), oi, oi.info);
}
