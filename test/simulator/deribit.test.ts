import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import ccxt, { type Exchange, type Trade } from 'ccxt';
import { HISTORY_MS, startFixture, T0, type SimFixture, type TruthTrade } from './fixture';

type Rpc<T> = { result: T };
interface RawTrade { trade_id: string; trade_seq: number; timestamp: number }
interface TruthLiquidation { id: string; timestamp: number; baseValue: number }
interface VolatilityPoint { timestamp: number; volatility: number }
interface TruthCandle { timestamp: number; open: number; high: number; low: number; close: number }

const BTC = 'BTC/USD:BTC';
const ETH = 'ETH/USD:ETH';

describe('deribit simulator through ccxt', () => {
  let fx: SimFixture;
  let deribit: Exchange;
  before(async () => {
    fx = await startFixture();
    deribit = fx.exchange('deribit');
    await deribit.loadMarkets();
  });
  after(() => fx.close());

  it('loadMarkets (get_currencies + get_instruments) lists the inverse perpetuals with their contract terms', () => {
    assert.deepEqual(Object.keys(deribit.markets ?? {}).sort(), [BTC, ETH]);
    const btc = deribit.market(BTC);
    assert.deepEqual(
      [btc.id, btc.type, btc.swap, btc.inverse, btc.settle, btc.contractSize, btc.precision.amount, btc.precision.price],
      ['BTC-PERPETUAL', 'swap', true, true, 'BTC', 10, 10, 0.1],
    );
    assert.deepEqual(Object.keys(deribit.currencies ?? {}).sort(), ['BTC', 'ETH']);
  });

  it('fetchTrades returns the newest trades exactly as ground truth has them (amounts in USD, whole contracts)', async () => {
    const trades = await deribit.fetchTrades(BTC, undefined, 40);
    const truth = await fx.truth<TruthTrade>({ exchange: 'deribit', type: 'trades', symbol: 'BTC-PERPETUAL', from: T0 - 60_000, to: T0 });
    assert.equal(trades.length, 40);
    assert.deepEqual(
      trades.map((t) => ({ id: t.id, timestamp: t.timestamp, price: t.price, amount: t.amount, side: t.side })),
      truth.slice(-40).map((t) => ({ id: t.id, timestamp: t.timestamp, price: t.price, amount: t.amount, side: t.side })),
    );
    assert.ok(trades.every((t) => t.amount! % 10 === 0 && t.amount! >= 10), 'deribit perpetual amounts are multiples of the 10 USD contract');
    // inverse: cost is in base currency (USD amount / price)
    assert.ok(Math.abs(trades[0].cost! - trades[0].amount! / trades[0].price!) < 1e-12);
  });

  it('fetchOrderBook equals the emitted snapshot', async () => {
    const book = await deribit.fetchOrderBook(ETH, 10);
    const [snap] = await fx.truth<{ bids: number[][]; asks: number[][] }>({ exchange: 'deribit', type: 'orderbook', symbol: ETH, from: book.timestamp!, to: book.timestamp! });
    assert.equal(book.timestamp, T0);
    assert.equal(book.bids.length, 10);
    assert.deepEqual(book.bids.map(([p, a]) => [p, a]), snap.bids);
    assert.deepEqual(book.asks.map(([p, a]) => [p, a]), snap.asks);
    assert.ok(book.bids[0][0]! < book.asks[0][0]!);
  });

  it('fetchTicker equals the emitted ticker (base volume in BTC, quote in USD); last is the last trade', async () => {
    const ticker = await deribit.fetchTicker(BTC);
    const [snap] = await fx.truth<Record<string, number>>({ exchange: 'deribit', type: 'ticker', symbol: BTC, from: T0, to: T0 });
    assert.deepEqual(
      [ticker.last, ticker.bid, ticker.bidVolume, ticker.ask, ticker.askVolume, ticker.high, ticker.low, ticker.baseVolume, ticker.quoteVolume, ticker.timestamp],
      [snap.last, snap.bid, snap.bidSize, snap.ask, snap.askSize, snap.high, snap.low, snap.baseVolume, snap.quoteVolume, snap.timestamp],
    );
    assert.ok(Math.abs(ticker.quoteVolume! / ticker.baseVolume! / ticker.last! - 1) < 1e-3, 'USD volume / BTC volume is the price');
    const trades = await fx.truth<TruthTrade>({ exchange: 'deribit', type: 'trades', symbol: BTC, from: T0 - 5_000, to: T0 });
    assert.equal(ticker.last, trades.at(-1)!.price);
  });

  it('fetchFundingRate (get_funding_rate_value over the last 8h) and fetchOpenInterest (book summary, USD) equal the emitted values', async () => {
    const funding = await deribit.fetchFundingRate(ETH);
    const [f] = await fx.truth<Record<string, number>>({ exchange: 'deribit', type: 'funding_rate', symbol: ETH, from: T0, to: T0 });
    assert.equal(funding.fundingRate, f.fundingRate);
    assert.ok(Math.abs(f.fundingRate) > 0);
    const oi = await deribit.fetchOpenInterest(BTC);
    const [o] = await fx.truth<Record<string, number>>({ exchange: 'deribit', type: 'open_interest', symbol: 'BTC-PERPETUAL', from: T0, to: T0 });
    assert.deepEqual([oi.openInterestValue, oi.timestamp], [o.value, o.timestamp]);
    assert.equal(o.value, o.contracts * 10);
  });

  it('fetchLiquidations reads bankruptcy settlements: newest first from now, paged back by continuation, equal to ground truth', async () => {
    const newest = await deribit.fetchLiquidations(BTC, undefined, 5);
    const truth = await fx.truth<TruthLiquidation>({ exchange: 'deribit', type: 'liquidations', symbol: BTC, from: T0 - 600_000, to: T0 });
    assert.deepEqual(newest.map((l) => [l.timestamp, l.baseValue]), truth.slice(-5).map((l) => [l.timestamp, l.baseValue]));
    // the implicit call pages back without holes or repeats
    const seen: number[] = [];
    let continuation: string | null | undefined;
    for (let page = 0; page < 4; page++) {
      const params: Record<string, unknown> = { instrument_name: 'BTC-PERPETUAL', type: 'bankruptcy', count: 7, ...(continuation ? { continuation } : {}) };
      const res = (await deribit.publicGetGetLastSettlementsByInstrument(params)) as Rpc<{ settlements: Array<{ timestamp: number }>; continuation: string | null }>;
      assert.equal(res.result.settlements.length, 7);
      seen.push(...res.result.settlements.map((s) => s.timestamp));
      continuation = res.result.continuation;
    }
    assert.deepEqual(seen, truth.slice(-28).map((l) => l.timestamp).reverse());
    // Deribit's search_start_timestamp is the LATEST time: ccxt sends `since` there and then keeps only items
    // at/after since, so a `since` (other than an exact event time) yields nothing. Collectors must poll
    // without since and de-duplicate; this pins the behaviour so a ccxt change shows up here.
    assert.deepEqual(await deribit.fetchLiquidations(BTC, T0 - 60_000), []);
  });

  it('fetchVolatilityHistory (get_historical_volatility) is 16 days of hourly points equal to the DVOL ground truth', async () => {
    const history = (await deribit.fetchVolatilityHistory('BTC')) as VolatilityPoint[];
    const truth = await fx.truth<TruthCandle>({ exchange: 'deribit', type: 'volatility_index', symbol: 'BTC', resolution: 3600, from: T0 - 383 * 3_600_000, to: T0 });
    assert.equal(history.length, 384);
    assert.deepEqual(history.map((v) => [v.timestamp, v.volatility]), truth.map((c) => [c.timestamp, c.open]));
    const eth = (await deribit.fetchVolatilityHistory('ETH')) as VolatilityPoint[];
    assert.notDeepEqual(eth.map((v) => v.volatility), history.map((v) => v.volatility));
  });

  it('DVOL candles (get_volatility_index_data) equal ground truth and page back with continuation', async () => {
    const from = T0 - 90 * 60_000;
    const res = (await deribit.publicGetGetVolatilityIndexData({ currency: 'ETH', start_timestamp: from, end_timestamp: T0, resolution: '60' })) as Rpc<{ data: number[][]; continuation: number | null }>;
    const truth = await fx.truth<TruthCandle>({ exchange: 'deribit', type: 'volatility_index', symbol: 'ETH', resolution: 60, from, to: T0 });
    assert.equal(res.result.data.length, 91);
    assert.deepEqual(res.result.data, truth.map((c) => [c.timestamp, c.open, c.high, c.low, c.close]));
    assert.equal(res.result.continuation, null);
    const long = (await deribit.publicGetGetVolatilityIndexData({ currency: 'ETH', start_timestamp: T0 - 2_000_000, end_timestamp: T0, resolution: '1' })) as Rpc<{ data: number[][]; continuation: number | null }>;
    assert.equal(long.result.data.length, 1000);
    assert.equal(long.result.data.at(-1)![0], T0);
    assert.equal(long.result.continuation, long.result.data[0][0] - 1);
  });

  it('an unknown symbol is BadSymbol in ccxt; an unknown instrument sent to the exchange is -32602, which ccxt raises as BadRequest', async () => {
    await assert.rejects(deribit.fetchTrades('DOGE/USD:DOGE'), ccxt.BadSymbol);
    await assert.rejects(deribit.fetchOrderBook('DOGE/USD:DOGE'), ccxt.BadSymbol);
    await assert.rejects(deribit.publicGetGetOrderBook({ instrument_name: 'DOGE-PERPETUAL' }), (err: Error) => {
      assert.ok(err instanceof ccxt.BadRequest && !(err instanceof ccxt.BadSymbol));
      assert.match(err.message, /"param":"instrument_name"/);
      assert.match(err.message, /"code":-32602/);
      return true;
    });
    await assert.rejects(deribit.publicGetGetLastTradesByInstrument({ instrument_name: 'BTC-PERPETUAL', count: 5000 }), ccxt.BadRequest);
    await assert.rejects(deribit.publicGetGetIndexChartData({ index_name: 'btc_usd' }), (err: Error) => err instanceof ccxt.BadRequest && /-32601/.test(err.message));
    await assert.rejects(deribit.privateGetGetPositions({ currency: 'BTC' }), ccxt.AuthenticationError);
  });
});

describe('deribit trades paging', () => {
  let fx: SimFixture;
  let deribit: Exchange;
  before(async () => {
    fx = await startFixture();
    deribit = fx.exchange('deribit');
    await deribit.loadMarkets();
  });
  after(() => fx.close());

  /** deribit's per-instrument trade sequence number, which ccxt leaves in info (its id is trade_id) */
  const seqOf = (t: Trade): number => (t.info as RawTrade).trade_seq;

  it('trade_id is unique per currency, not the trade_seq: ids rise with the sequence but jump (other instruments take the ids between)', async () => {
    const trades = await deribit.fetchTrades(BTC, undefined, 50);
    const seqs = trades.map(seqOf);
    assert.deepEqual(seqs, Array.from({ length: 50 }, (_, i) => seqs[0] + i), 'trade_seq counts up by one');
    const ids = trades.map((t) => BigInt(t.id!));
    assert.ok(ids.every((id, i) => i === 0 || id > ids[i - 1]), 'ids increase with the sequence');
    assert.ok(ids.some((id, i) => i > 0 && id - ids[i - 1] > 1n), 'and jump between consecutive trades of the instrument');
    assert.ok(trades.every((t) => t.id !== String(seqOf(t))), 'trade_id is never the trade_seq');
    const truth = await fx.truth<TruthTrade>({ exchange: 'deribit', type: 'trades', symbol: BTC, from: trades[0].timestamp!, to: trades.at(-1)!.timestamp! });
    const bySeq = new Map(truth.map((t) => [t.seq, t.id]));
    for (const t of trades) assert.equal(bySeq.get(seqOf(t)), t.id, 'ground truth names the same trade_id and trade_seq');
  });

  /** One collector poll the way ccxt's `since` works: since = newest seen time (inclusive), dedupe on id. */
  async function pollSince(symbol: string, seen: Trade[], limit?: number): Promise<void> {
    const ids = new Set(seen.map((t) => t.id));
    for (;;) {
      const page = await deribit.fetchTrades(symbol, seen.at(-1)!.timestamp, limit);
      const fresh = page.filter((t) => !ids.has(t.id));
      if (fresh.length === 0) return;
      for (const t of fresh) ids.add(t.id);
      seen.push(...fresh);
    }
  }

  it('paging forward with since yields every trade exactly once, matching truth (page = count, default 10)', async () => {
    const [first] = await deribit.fetchTrades(ETH, undefined, 1);
    const seen: Trade[] = [first];
    for (let step = 0; step < 4; step++) {
      fx.clock.now += 4_000; // 80 trades at 20/s: many pages per poll
      await pollSince(ETH, seen, step % 2 === 0 ? undefined : 25);
    }
    const truth = await fx.truth<TruthTrade>({ exchange: 'deribit', type: 'trades', symbol: ETH, from: first.timestamp!, to: fx.clock.now });
    assert.ok(truth.length > 300);
    const ids = seen.map((t) => t.id);
    assert.equal(new Set(ids).size, ids.length);
    assert.deepEqual(ids, truth.map((t) => t.id));
  });

  it('the implicit calls page by trade_seq (start_seq) and by time (end_timestamp only → newest), with has_more', async () => {
    const last = seqOf((await deribit.fetchTrades(BTC, undefined, 1))[0]);
    const bySeq = (await deribit.publicGetGetLastTradesByInstrument({ instrument_name: 'BTC-PERPETUAL', start_seq: last - 29, count: 20, sorting: 'asc' })) as Rpc<{ trades: RawTrade[]; has_more: boolean }>;
    assert.deepEqual(bySeq.result.trades.map((t) => t.trade_seq), Array.from({ length: 20 }, (_, i) => last - 29 + i));
    assert.equal(bySeq.result.has_more, true);
    const rest = (await deribit.publicGetGetLastTradesByInstrument({ instrument_name: 'BTC-PERPETUAL', start_seq: last - 9, count: 20 })) as Rpc<{ trades: RawTrade[]; has_more: boolean }>;
    assert.deepEqual(rest.result.trades.map((t) => t.trade_seq), Array.from({ length: 10 }, (_, i) => last - i), 'default sorting is newest first');
    assert.equal(rest.result.has_more, false);
    const end = fx.clock.now - 5_000; // inside the fetchable history (400 trades = 20 s at 20/s)
    const byTime = (await deribit.publicGetGetLastTradesByInstrumentAndTime({ instrument_name: 'BTC-PERPETUAL', end_timestamp: end, count: 5 })) as Rpc<{ trades: RawTrade[]; has_more: boolean }>;
    const truth = await fx.truth<TruthTrade>({ exchange: 'deribit', type: 'trades', symbol: BTC, from: end - 5_000, to: end });
    assert.deepEqual(byTime.result.trades.map((t) => t.trade_id).reverse(), truth.slice(-5).map((t) => t.id));
    await assert.rejects(deribit.publicGetGetLastTradesByInstrumentAndTime({ instrument_name: 'BTC-PERPETUAL' }), ccxt.BadRequest);
  });

  it('history is bounded: after a long pause `since` continues at the oldest kept trade (a back-fill gap)', async () => {
    const [last] = await deribit.fetchTrades(BTC, undefined, 1);
    fx.clock.now += 60_000; // 1200 trades at 20/s; the fixture's deribit serves the last 20 s (real: everything with include_old)
    const resumed: Trade[] = [last];
    await pollSince(BTC, resumed, 100);
    const kept = await fx.truth<TruthTrade>({ exchange: 'deribit', type: 'trades', symbol: BTC, from: fx.clock.now - HISTORY_MS, to: fx.clock.now });
    const ids = resumed.slice(1).map((t) => t.id);
    assert.ok(kept.length > 350, `about 400 trades kept (${kept.length})`);
    assert.deepEqual(ids, kept.map((t) => t.id));
    assert.ok(seqOf(resumed[1]) > seqOf(last) + 1, 'the trades right after the cursor are gone');
  });
});

describe('deribit faults in deribit\'s own format', () => {
  let fx: SimFixture;
  let deribit: Exchange;
  before(async () => {
    fx = await startFixture();
    deribit = fx.exchange('deribit');
    await deribit.loadMarkets();
  });
  after(() => fx.close());

  it('rate limit is 429 + Retry-After + 10028 (ccxt DDoSProtection); maintenance is 11051 (ccxt OnMaintenance)', async () => {
    await fx.admin('POST', '/_admin/faults', { exchange: 'deribit', mode: 'rate_limit', retryAfterSec: 3 });
    const res = await fetch(`${fx.sim.url}/deribit/api/v2/public/get_time`);
    assert.deepEqual([res.status, res.headers.get('retry-after'), ((await res.json()) as { error: { code: number } }).error.code], [429, '3', 10028]);
    await assert.rejects(deribit.fetchTicker(BTC), ccxt.DDoSProtection);
    await fx.admin('POST', '/_admin/faults', { exchange: 'deribit', mode: 'outage', style: 'maintenance' });
    await assert.rejects(deribit.fetchTicker(BTC), ccxt.OnMaintenance);
    await fx.admin('DELETE', '/_admin/faults?exchange=deribit');
    assert.ok((await deribit.fetchTicker(BTC)).last! > 0);
  });
});

describe('public liquidations on the other simulated exchanges', () => {
  it('ccxt has no public fetchLiquidations for okx, binance, binanceusdm or bybit (only deribit), so none is served', () => {
    const has = (id: string): unknown => new (ccxt as unknown as Record<string, new () => Exchange>)[id]().has.fetchLiquidations;
    assert.deepEqual(['okx', 'binance', 'binanceusdm', 'bybit', 'deribit'].map((id) => [id, Boolean(has(id))]), [
      ['okx', false], ['binance', false], ['binanceusdm', false], ['bybit', false], ['deribit', true],
    ]);
  });
});
