import type { SimRequest, SimResponse } from '../http';
import { VOLATILITY_CURRENCIES } from '../instruments';
import { countArg, enumArg, instrumentArg, intArg, invalidParam, rpcResult } from './deribit-rpc';
import type { ExchangeContext } from './types';

/**
 * Deribit series served from the generator: bankruptcy settlements (what ccxt's public fetchLiquidations
 * reads), realized volatility (fetchVolatilityHistory) and the DVOL index candles (implicit
 * publicGetGetVolatilityIndexData).
 */
const HOUR_MS = 3_600_000;
/** get_historical_volatility answers the last 16 days, one point per hour */
const HISTORICAL_VOLATILITY_POINTS = 16 * 24;
const MAX_DVOL_CANDLES = 1000;
const DVOL_RESOLUTIONS: Record<string, number> = { '1': 1_000, '60': 60_000, '3600': HOUR_MS, '43200': 12 * HOUR_MS, '1D': 24 * HOUR_MS };
const SETTLEMENT_TYPES = ['settlement', 'delivery', 'bankruptcy'] as const;

/** Continuation tokens are opaque to clients; here they carry the id below which the next page starts. */
const encodeContinuation = (id: number): string => Buffer.from(`liq:${id}`).toString('base64url');

function decodeContinuation(req: SimRequest): number | undefined {
  const raw = req.query.get('continuation');
  if (raw === null || raw === '') return undefined;
  const m = /^liq:(\d+)$/.exec(Buffer.from(raw, 'base64url').toString('utf8'));
  return m ? Number(m[1]) : invalidParam(req, 'continuation');
}

/**
 * get_last_settlements_by_instrument: newest first, starting at search_start_timestamp ("the latest timestamp
 * to return result from") and paging back in time with `continuation`. Only bankruptcy events are generated;
 * type=settlement|delivery answers an empty list.
 */
export function lastSettlementsByInstrument(req: SimRequest, ctx: ExchangeContext): SimResponse {
  const inst = instrumentArg(req);
  const type = enumArg(req, 'type', [...SETTLEMENT_TYPES, 'any'], 'any');
  const count = countArg(req, 20, 1000);
  const below = decodeContinuation(req);
  const latest = Math.min(intArg(req, 'search_start_timestamp') ?? req.now, req.now);
  if (type === 'settlement' || type === 'delivery') return rpcResult(req.now, { settlements: [], continuation: null });
  const liquidations = ctx.market.latestLiquidations(inst, latest, count, below);
  const settlements = liquidations.map((l) => ({
    type: 'bankruptcy', timestamp: l.timestamp, session_bankrupcy: l.baseValue, funded: l.baseValue, socialized: 0, session_tax: 0, session_tax_rate: 0,
  }));
  const oldest = liquidations.at(-1);
  const more = liquidations.length === count && oldest !== undefined && oldest.id > 0;
  return rpcResult(req.now, { settlements, continuation: more ? encodeContinuation(oldest.id) : null });
}

function currencyArg(req: SimRequest): string {
  const currency = req.query.get('currency');
  if (!currency) invalidParam(req, 'currency', 'must be present');
  if (!(VOLATILITY_CURRENCIES as readonly string[]).includes(currency!)) invalidParam(req, 'currency', 'invalid currency');
  return currency!;
}

/** get_historical_volatility: [[hourStart, value]] oldest first for the last 16 days; value = the DVOL at the hour's start. */
export function historicalVolatility(req: SimRequest, ctx: ExchangeContext): SimResponse {
  const currency = currencyArg(req);
  const newestHour = Math.floor(req.now / HOUR_MS) * HOUR_MS;
  const candles = ctx.market.volatilityBetween(currency, HOUR_MS, newestHour - (HISTORICAL_VOLATILITY_POINTS - 1) * HOUR_MS, req.now);
  return rpcResult(req.now, candles.map((c) => [c.timestamp, c.open]));
}

/**
 * get_volatility_index_data: DVOL candles [ts, open, high, low, close] in [start, end], oldest first, at most
 * 1000; when more exist the newest 1000 come back with `continuation` = the end_timestamp for the next page.
 */
export function volatilityIndexData(req: SimRequest, ctx: ExchangeContext): SimResponse {
  const currency = currencyArg(req);
  const start = intArg(req, 'start_timestamp') ?? invalidParam(req, 'start_timestamp', 'must be present');
  const end = Math.min(intArg(req, 'end_timestamp') ?? invalidParam(req, 'end_timestamp', 'must be present'), req.now);
  const resolution = DVOL_RESOLUTIONS[req.query.get('resolution') ?? ''] ?? invalidParam(req, 'resolution');
  const firstBucket = Math.max(Math.ceil(start / resolution), Math.floor(end / resolution) - MAX_DVOL_CANDLES + 1) * resolution;
  const candles = ctx.market.volatilityBetween(currency, resolution, firstBucket, end);
  const more = candles.length > 0 && candles[0].timestamp - resolution >= start;
  return rpcResult(req.now, {
    data: candles.map((c) => [c.timestamp, c.open, c.high, c.low, c.close]),
    continuation: more ? candles[0].timestamp - 1 : null,
  });
}
