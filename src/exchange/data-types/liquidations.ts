import type { Liquidation } from 'ccxt';
import type { DataTypeFetch } from '../fetch-loop';
import { normalizeLiquidation } from '../normalize/liquidations';
import { fetchLiquidationsAfter } from '../paging/liquidations';

/**
 * Liquidations after the cursor (paging/liquidations.ts says how each exchange is asked); the cursor's ids
 * drop the ones already stored at its instant.
 */
export const LIQUIDATIONS: DataTypeFetch<'liquidations', Liquidation> = {
  table: 'liquidations',
  ccxtMethod: 'fetchLiquidations',
  fetchPage: async (exchange, symbol, cursor) => ({ items: await fetchLiquidationsAfter(exchange, symbol, cursor), full: false }),
  normalize: (exchange, symbol, liq, receiveTime) => normalizeLiquidation(exchange.id, exchange.market(symbol), liq, receiveTime),
  key: (row) => row.liquidationId,
};
