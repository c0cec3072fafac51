import { createHash } from 'node:crypto';
import type { Liquidation, MarketInterface as Market } from 'ccxt';
import type { LiquidationRow } from '../../domain/rows';
import { base, MalformedItem, normalizeWith, nullable, type Normalized } from './common';

/**
 * The exchange's id when the raw item has one, else a hash of what identifies the event within its instrument
 * (the table's key is exchange, symbol, liquidation_id): its time, side, price and sizes, absent ones as null.
 * Deribit's settlements have only a time and a base-currency size, so there the key is time + instrument + size:
 * the same settlement polled twice gets the same id, and two settlements would need the same millisecond and
 * the same size to collide.
 */
function liquidationId(info: unknown, identity: Omit<LiquidationRow, 'liquidationId' | 'exchange' | 'marketType' | 'symbol' | 'nativeSymbol' | 'receiveTime'>): string {
  const raw = info !== null && typeof info === 'object' ? (info as Record<string, unknown>) : {};
  for (const key of ['trade_id', 'tradeId', 'id', 'liquidation_id']) {
    const value = raw[key];
    if ((typeof value === 'string' && value !== '') || typeof value === 'number') return String(value);
  }
  const { eventTime, side, price, amount, baseValue } = identity;
  return createHash('sha256').update(JSON.stringify({ t: eventTime, side, price, amount, baseValue })).digest('hex').slice(0, 24);
}

/** buy/sell, or null when the exchange does not say; anything else is malformed. */
function sideOf(liq: Liquidation): 'buy' | 'sell' | null {
  const side = (liq as Liquidation & { side?: unknown }).side ?? (liq.info as Record<string, unknown> | undefined)?.direction;
  if (side === undefined || side === null) return null;
  if (side !== 'buy' && side !== 'sell') throw new MalformedItem(`side is ${JSON.stringify(side)}, not buy or sell`);
  return side;
}

export function liquidationRow(exchange: string, market: Market, liq: Liquidation, receiveTime: number): LiquidationRow {
  const head = base(exchange, market, liq.timestamp, receiveTime);
  const side = sideOf(liq);
  const price = nullable(liq.price, 'price');
  const amount = nullable(liq.contracts, 'contracts');
  const baseValue = nullable(liq.baseValue, 'baseValue');
  // a liquidation without any size says nothing worth storing: rejected rather than stored as zeros
  if (amount === null && baseValue === null) throw new MalformedItem('neither contracts nor baseValue is given');
  const identity = { eventTime: head.eventTime, side, price, amount, baseValue };
  return { ...head, side, price, amount, baseValue, liquidationId: liquidationId(liq.info, identity) };
}

export function normalizeLiquidation(exchange: string, market: Market, liq: Liquidation, receiveTime: number): Normalized<LiquidationRow> {
  return normalizeWith('liquidations', (l: Liquidation) => liquidationRow(exchange, market, l, receiveTime), liq, liq.info);
}
