import type { ExchangePool } from '../pool';
import { fetchLiquidationsAfter } from '../paging/liquidations';
import { perSymbolActivity } from '../fetch-loop';
import { normalizeLiquidation } from '../normalize/liquidations';

/**
 * Liquidations after the cursor (fetch-liquidations-paging.ts says how each exchange is asked); the cursor's
 * ids drop the ones already stored at its instant.
 */
export function fetchLiquidationsActivity(pool: ExchangePool) {
  return perSymbolActivity(pool, {
    table: 'liquidations',
    fetch: (exchange, symbol, cursor) => fetchLiquidationsAfter(exchange, symbol, cursor),
    normalize: (exchange, symbol, liq, receiveTime) => normalizeLiquidation(exchange.id, exchange.market(symbol), liq, receiveTime),
    key: (row) => row.liquidationId,
  });
}
