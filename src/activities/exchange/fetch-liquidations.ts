import type { ExchangePool } from './exchanges';
import { perSymbolActivity } from './per-symbol-fetch';
import { normalizeLiquidation } from './normalize/liquidations';

/** Liquidations since the cursor's time (the cursor's ids drop the ones already stored at that instant). */
export function fetchLiquidationsActivity(pool: ExchangePool) {
  return perSymbolActivity(pool, {
    table: 'liquidations',
    fetch: (exchange, symbol, cursor) => exchange.fetchLiquidations(symbol, cursor?.lastTime),
    normalize: (exchange, symbol, liq, receiveTime) => normalizeLiquidation(exchange.id, exchange.market(symbol), liq, receiveTime),
    key: (row) => row.liquidationId,
  });
}
