import { json, type SimRequest, type SimResponse } from '../http';
import { amountStep, INSTRUMENTS, type Instrument } from '../instruments';
import { roundTo } from '../market';
import { uniform } from '../rng';
import { countArg, enumArg, instrumentArg, intArg, invalidParam, rpcError, rpcResult } from './deribit-rpc';
import { historicalVolatility, lastSettlementsByInstrument, volatilityIndexData } from './deribit-series';
import { lastTradesByInstrument, lastTradesByInstrumentAndTime } from './deribit-trades';
import type { ExchangeContext, FaultKind, SimExchangeApi } from './types';

/**
 * Deribit API v2 as ccxt's deribit.js calls it: GET /api/v2/public/<method>?<params>, JSON-RPC envelopes,
 * numbers as JSON numbers. Only the inverse perpetuals BTC-PERPETUAL and ETH-PERPETUAL exist (amounts in USD,
 * contract size 10 USD). loadMarkets = get_currencies + get_instruments.
 */
const EIGHT_HOURS_MS = 8 * 3_600_000;
const CURRENCY_NAMES: Record<string, string> = { BTC: 'Bitcoin', ETH: 'Ethereum' };
/** currencies Deribit knows; only BTC and ETH have simulated instruments */
const KNOWN_CURRENCIES = ['BTC', 'ETH', 'USDC', 'USDT', 'EURR', 'any'] as const;
const KINDS = ['future', 'option', 'spot', 'future_combo', 'option_combo', 'any'] as const;

function currencyListing(currency: string): Record<string, unknown> {
  return {
    currency, currency_long: CURRENCY_NAMES[currency], coin_type: currency === 'BTC' ? 'BITCOIN' : 'ETHER', fee_precision: 4,
    withdrawal_fee: currency === 'BTC' ? 0.0001 : 0.0015, min_withdrawal_fee: currency === 'BTC' ? 0.0001 : 0.0015,
    min_confirmations: currency === 'BTC' ? 1 : 12, withdrawal_priorities: [], apr: 0, in_cross_collateral_pool: true,
  };
}

function instrumentListing(inst: Instrument): Record<string, unknown> {
  const tick = 10 ** -inst.priceDecimals;
  return {
    instrument_name: inst.id, instrument_id: inst.base === 'BTC' ? 124972 : 124973, kind: 'future', instrument_type: 'reversed', future_type: 'reversed',
    settlement_period: 'perpetual', base_currency: inst.base, quote_currency: inst.quote, counter_currency: inst.quote, settlement_currency: inst.settle,
    price_index: `${inst.base.toLowerCase()}_usd`, tick_size: roundTo(tick, inst.priceDecimals), tick_size_steps: [],
    min_trade_amount: amountStep(inst), contract_size: inst.contractSize, max_leverage: 50, max_liquidation_commission: 0.0075,
    taker_commission: 0.0005, maker_commission: 0, block_trade_commission: 0.00025, block_trade_min_trade_amount: 200_000, block_trade_tick_size: 0.01,
    is_active: true, creation_timestamp: 1534242287000, expiration_timestamp: 32503708800000, rfq: false,
  };
}

function getCurrencies(req: SimRequest): SimResponse {
  return rpcResult(req.now, [...new Set(INSTRUMENTS.deribit.map((i) => i.base))].map(currencyListing));
}

/** get_instruments: currency absent or 'any' = every currency (ccxt's fetchAllMarkets call); kind filters. */
function getInstruments(req: SimRequest): SimResponse {
  const currency = enumArg(req, 'currency', KNOWN_CURRENCIES, 'any');
  const kind = enumArg(req, 'kind', KINDS, 'any');
  enumArg(req, 'expired', ['true', 'false'], 'false');
  const listed = INSTRUMENTS.deribit.filter((i) => (currency === 'any' || i.base === currency) && (kind === 'any' || kind === 'future'));
  return rpcResult(req.now, req.query.get('expired') === 'true' ? [] : listed.map(instrumentListing));
}

/** What book, ticker and book summary share: mark/index/funding/open interest at this moment. */
function marketState(ctx: ExchangeContext, inst: Instrument, now: number) {
  const f = ctx.market.funding(inst, now);
  const oi = ctx.market.openInterest(inst, now);
  const last = ctx.market.trade(inst, ctx.market.lastTradeAt(inst, now)).price;
  return {
    f, oi, last,
    common: {
      instrument_name: inst.id, mark_price: f.markPrice, index_price: f.indexPrice, estimated_delivery_price: f.indexPrice, last_price: last,
      open_interest: oi.value, funding_8h: f.fundingRate, current_funding: roundTo(f.fundingRate / 8, 8), settlement_price: f.indexPrice,
      min_price: roundTo(f.markPrice * 0.98, inst.priceDecimals), max_price: roundTo(f.markPrice * 1.02, inst.priceDecimals), state: 'open',
    },
  };
}

/** get_order_book `depth`: one of these (ccxt #9076); anything else is Invalid params. */
export const DERIBIT_BOOK_DEPTHS = [1, 5, 10, 20, 50, 100, 1000, 10000] as const;

function orderBook(req: SimRequest, ctx: ExchangeContext): SimResponse {
  const inst = instrumentArg(req);
  const depth = countArg(req, 20, 10_000, 'depth');
  if (!(DERIBIT_BOOK_DEPTHS as readonly number[]).includes(depth)) invalidParam(req, 'depth', `must be one of ${DERIBIT_BOOK_DEPTHS.join(', ')}`);
  const book = ctx.market.orderBook(inst, req.now, depth);
  ctx.recordSnapshot('orderbook', inst, { ...book });
  const { common } = marketState(ctx, inst, req.now);
  return rpcResult(req.now, {
    ...common, timestamp: book.timestamp, change_id: book.timestamp, bids: book.bids, asks: book.asks,
    best_bid_price: book.bids[0][0], best_bid_amount: book.bids[0][1], best_ask_price: book.asks[0][0], best_ask_amount: book.asks[0][1],
  });
}

function ticker(req: SimRequest, ctx: ExchangeContext): SimResponse {
  const inst = instrumentArg(req);
  const t = ctx.market.ticker(inst, req.now);
  const { common } = marketState(ctx, inst, req.now);
  // no_last_price (data-faults.ts): an instrument that has not traded yet, e.g. a new option (ccxt #626)
  const fault = ctx.dataFault('deribit');
  const noLast = fault?.mode === 'no_last_price' && uniform(ctx.market.seed, 'no-last', inst.id, req.now) < fault.rate;
  ctx.recordSnapshot('ticker', inst, noLast ? { ...t, last: null } : { ...t });
  return rpcResult(req.now, {
    ...common, timestamp: t.timestamp, last_price: noLast ? null : t.last, interest_value: 0,
    best_bid_price: t.bid, best_bid_amount: t.bidSize, best_ask_price: t.ask, best_ask_amount: t.askSize,
    // stats.volume is base currency, volume_usd the USD notional (amounts of inverse contracts are USD)
    stats: { high: t.high, low: t.low, price_change: roundTo(((t.last - t.open) / t.open) * 100, 4), volume: t.baseVolume, volume_usd: t.quoteVolume },
  });
}

/**
 * get_funding_rate_value: the funding accrued between start and end. The simulator's rate is constant over the
 * request, so the value is the 8h rate scaled by the window (ccxt asks for exactly the last 8 hours).
 */
function fundingRateValue(req: SimRequest, ctx: ExchangeContext): SimResponse {
  const inst = instrumentArg(req);
  const start = intArg(req, 'start_timestamp') ?? invalidParam(req, 'start_timestamp', 'must be present');
  const end = intArg(req, 'end_timestamp') ?? invalidParam(req, 'end_timestamp', 'must be present');
  if (end < start) invalidParam(req, 'end_timestamp', 'must not be before start_timestamp');
  const f = ctx.market.funding(inst, req.now);
  const value = roundTo((f.fundingRate * (end - start)) / EIGHT_HOURS_MS, 8);
  ctx.recordSnapshot('funding_rate', inst, { ...f, fundingRate: value });
  return rpcResult(req.now, value);
}

/** get_book_summary_by_instrument: ccxt's fetchOpenInterest reads open_interest (USD for inverse perpetuals). */
function bookSummary(req: SimRequest, ctx: ExchangeContext): SimResponse {
  const inst = instrumentArg(req);
  const t = ctx.market.ticker(inst, req.now);
  const { oi, common } = marketState(ctx, inst, req.now);
  ctx.recordSnapshot('open_interest', inst, { ...oi });
  return rpcResult(req.now, [{
    instrument_name: inst.id, base_currency: inst.base, quote_currency: inst.quote, creation_timestamp: oi.timestamp, open_interest: oi.value,
    mark_price: common.mark_price, estimated_delivery_price: common.estimated_delivery_price, funding_8h: common.funding_8h, current_funding: common.current_funding,
    last: t.last, bid_price: t.bid, ask_price: t.ask, mid_price: roundTo((t.bid + t.ask) / 2, 4), high: t.high, low: t.low,
    price_change: roundTo(((t.last - t.open) / t.open) * 100, 4), volume: t.baseVolume, volume_usd: t.quoteVolume, volume_notional: t.quoteVolume, interest_rate: 0,
  }]);
}

type Route = (req: SimRequest, ctx: ExchangeContext) => SimResponse;
const PUBLIC: Record<string, Route> = {
  get_time: (req) => rpcResult(req.now, req.now),
  status: (req) => rpcResult(req.now, { locked: 'false', locked_indices: [] }),
  test: (req) => rpcResult(req.now, { version: '1.2.26' }),
  get_currencies: getCurrencies,
  get_instruments: getInstruments,
  get_last_trades_by_instrument: lastTradesByInstrument,
  get_last_trades_by_instrument_and_time: lastTradesByInstrumentAndTime,
  get_order_book: orderBook,
  ticker,
  get_funding_rate_value: fundingRateValue,
  get_book_summary_by_instrument: bookSummary,
  get_last_settlements_by_instrument: lastSettlementsByInstrument,
  get_historical_volatility: historicalVolatility,
  get_volatility_index_data: volatilityIndexData,
};

const PREFIX = '/api/v2/';

export const deribit: SimExchangeApi = {
  id: 'deribit',
  handle(req, ctx) {
    const [scope, method] = req.path.startsWith(PREFIX) ? req.path.slice(PREFIX.length).split('/', 2) : [];
    // private methods exist but need a token: Deribit answers 13009 unauthorized (ccxt: AuthenticationError)
    if (scope === 'private') return rpcError(400, req.now, 13009, 'unauthorized');
    const route = req.method === 'GET' && scope === 'public' ? PUBLIC[method] : undefined;
    return route ? route(req, ctx) : rpcError(400, req.now, -32601, 'Method not found');
  },
  faultResponse(kind: FaultKind, retryAfterSec: number, now: number) {
    const retry = { 'Retry-After': String(retryAfterSec) };
    switch (kind) {
      case 'rate_limit': return { ...rpcError(429, now, 10028, 'too_many_requests'), headers: retry };
      // an IP block comes from Deribit's edge as an HTML page (status 418 here, as asked for bans)
      case 'ban': return json(418, '<html><body>banned</body></html>', retry);
      case 'server_error': return json(502, '<html><body>502 Bad Gateway</body></html>');
      case 'service_unavailable': return json(503, '<html><body>503 Service Unavailable</body></html>', retry);
      // 11051 system_maintenance → ccxt OnMaintenance
      case 'maintenance': return { ...rpcError(503, now, 11051, 'system_maintenance'), headers: retry };
    }
  },
};
