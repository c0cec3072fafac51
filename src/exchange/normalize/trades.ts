import type { MarketInterface as Market, Trade } from 'ccxt';
import type { TradeRow } from '../../domain/rows';
import { base, MalformedItem, normalizeWith, num, str, type Normalized } from './common';
import { sizesOn } from './sizes';

export function tradeRow(exchange: string, market: Market, trade: Trade, receiveTime: number): TradeRow {
  if (trade.side !== 'buy' && trade.side !== 'sell') throw new MalformedItem(`side is ${JSON.stringify(trade.side)}, not buy or sell`);
  const price = num(trade.price, 'price');
  const amount = num(trade.amount, 'amount');
  return {
    ...base(exchange, market, trade.timestamp, receiveTime),
    tradeId: str(trade.id, 'id'),
    price,
    amount,
    side: trade.side,
    ...sizesOn(exchange, market, amount, price),
  };
}

export function normalizeTrade(exchange: string, market: Market, trade: Trade, receiveTime: number): Normalized<TradeRow> {
  return normalizeWith('trades', (t: Trade) => tradeRow(exchange, market, t, receiveTime), trade, trade.info);
}
