import { createHash } from 'node:crypto';
import type { Liquidation, MarketInterface as Market } from 'ccxt';
import type { LiquidationRow } from '../../../domain/rows';
import { base, MalformedItem, normalizeWith, num, type Normalized } from './common';

/** The exchange's id when the raw item has one, else a hash of what identifies the event. */
function liquidationId(info: unknown, fields: object): string {
  const raw = info !== null && typeof info === 'object' ? (info as Record<string, unknown>) : {};
  for (const key of ['trade_id', 'tradeId', 'id', 'liquidation_id']) {
    const value = raw[key];
    if ((typeof value === 'string' && value !== '') || typeof value === 'number') return String(value);
  }
  return createHash('sha256').update(JSON.stringify(fields)).digest('hex').slice(0, 24);
}

export function liquidationRow(exchange: string, market: Market, liq: Liquidation, receiveTime: number): LiquidationRow {
  const side = (liq as Liquidation & { side?: unknown }).side ?? (liq.info as Record<string, unknown> | undefined)?.direction;
  if (side !== 'buy' && side !== 'sell') throw new MalformedItem(`side is ${JSON.stringify(side)}, not buy or sell`);
  const head = base(exchange, market, liq.timestamp, receiveTime);
  const price = num(liq.price, 'price');
  const amount = num(liq.contracts ?? liq.baseValue, 'contracts');
  return { ...head, side, price, amount, liquidationId: liquidationId(liq.info, { t: head.eventTime, side, price, amount }) };
}

export function normalizeLiquidation(exchange: string, market: Market, liq: Liquidation, receiveTime: number): Normalized<LiquidationRow> {
  return normalizeWith((l: Liquidation) => liquidationRow(exchange, market, l, receiveTime), liq, liq.info);
}
