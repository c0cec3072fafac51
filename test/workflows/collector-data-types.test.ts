import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../../src/config/load';
import type { DataType } from '../../src/domain/data-types';
import type { AnyRow, CollectionGapRow, FundingRateRow, LongShortRatioRow, OpenInterestRow, OrderBookRow, QuarantineRow, TickerRow, TradeRow } from '../../src/domain/rows';
import { collectQueue, STORAGE_QUEUE } from '../../src/domain/task-queues';
import { eventually } from '../support/wait';
import { NEWEST_BACK_PAGE } from '../../src/exchange/paging/liquidations';
import { COLLECTION_GAPS_TABLE, QUARANTINE_TABLE } from '../../src/storage/tables';
import { collectorHarness, near, quoted, storedRecords, storedRows, truth } from './collector-fixture';

/**
 * Every exchange × data type the simulator serves is collected through the real path (CollectorWorkflow →
 * fetch activity over ccxt → RedundantWriteWorkflow → ClickHouse) and compared with the simulator's ground truth.
 */
type Truth = Record<string, unknown> & { timestamp: number };

/**
 * Rows and gaps written from here on are this test's (the stack is shared with other test files). Series of
 * buckets (ratios, volatility) are compared whole: a batch of buckets another test already wrote has the same
 * content-addressed id, so its rows keep their first ingest time.
 */
const since = Date.now();
const SERIES = new Set<DataType>(['lsr_all_account', 'lsr_top_position', 'volatility_index']);

interface Case {
  exchange: string;
  type: DataType;
  symbols: string[];
  /** rows per symbol to wait for */
  min: number;
}

/** Exchanges whose trades API serves only the newest page (src/activities/exchange/trade-paging.ts). */
const LATEST_ONLY = new Set(['bybit']);
const SPOT = 'BTC/USDT';
const SWAP = 'BTC/USDT:USDT';
const INVERSE = 'BTC/USD:BTC';
const DEPTH = 5;
const CASES: Case[] = [
  // okx BTC/USDT:USDT trades are left to test/workflows/vertical-slice.test.ts, which reads all of them
  { exchange: 'okx', type: 'trades', symbols: [SPOT, 'ETH/USDT:USDT'], min: 30 },
  { exchange: 'okx', type: 'orderbook', symbols: [SPOT, SWAP], min: 2 },
  { exchange: 'okx', type: 'ticker', symbols: [SPOT, SWAP], min: 2 },
  { exchange: 'okx', type: 'funding_rate', symbols: [SWAP], min: 2 },
  { exchange: 'okx', type: 'open_interest', symbols: [SWAP], min: 2 },
  { exchange: 'okx', type: 'lsr_top_position', symbols: [SWAP], min: 5 },
  { exchange: 'okx', type: 'lsr_all_account', symbols: [SWAP], min: 5 },
  { exchange: 'binance', type: 'trades', symbols: [SPOT], min: 30 },
  { exchange: 'binance', type: 'orderbook', symbols: [SPOT], min: 2 },
  { exchange: 'binance', type: 'ticker', symbols: [SPOT], min: 2 },
  { exchange: 'binanceusdm', type: 'trades', symbols: [SWAP], min: 30 },
  { exchange: 'binanceusdm', type: 'orderbook', symbols: [SWAP], min: 2 },
  { exchange: 'binanceusdm', type: 'ticker', symbols: [SWAP], min: 2 },
  { exchange: 'binanceusdm', type: 'funding_rate', symbols: [SWAP], min: 2 },
  { exchange: 'binanceusdm', type: 'open_interest', symbols: [SWAP], min: 2 },
  { exchange: 'binanceusdm', type: 'lsr_top_position', symbols: [SWAP], min: 5 },
  { exchange: 'binanceusdm', type: 'lsr_all_account', symbols: [SWAP], min: 5 },
  { exchange: 'bybit', type: 'trades', symbols: [SPOT, SWAP], min: 30 },
  { exchange: 'bybit', type: 'orderbook', symbols: [SPOT, SWAP], min: 2 },
  { exchange: 'bybit', type: 'ticker', symbols: [SPOT, SWAP], min: 2 },
  { exchange: 'bybit', type: 'funding_rate', symbols: [SWAP], min: 2 },
  // bybit answers hourly buckets: one bucket is one row
  { exchange: 'bybit', type: 'open_interest', symbols: [SWAP], min: 1 },
  { exchange: 'bybit', type: 'lsr_all_account', symbols: [SWAP], min: 5 },
  { exchange: 'deribit', type: 'trades', symbols: [INVERSE], min: 30 },
  { exchange: 'deribit', type: 'orderbook', symbols: [INVERSE], min: 2 },
  { exchange: 'deribit', type: 'ticker', symbols: [INVERSE], min: 2 },
  { exchange: 'deribit', type: 'funding_rate', symbols: [INVERSE], min: 2 },
  { exchange: 'deribit', type: 'open_interest', symbols: [INVERSE], min: 2 },
  // hourly points of the last 16 days, per currency
  { exchange: 'deribit', type: 'volatility_index', symbols: ['BTC'], min: 100 },
  // bankruptcy settlements: the newest page at start, then a few that happened while collecting (one per ~10 s)
  { exchange: 'deribit', type: 'liquidations', symbols: [INVERSE], min: NEWEST_BACK_PAGE + 3 },
];

/** Snapshots whose exchange body carries no time: the row's event time is its receive time (docs/collection.md). */
const TIMELESS = new Set(['binance/orderbook/BTC/USDT', 'bybit/ticker/BTC/USDT', 'bybit/ticker/BTC/USDT:USDT', 'bybit/funding_rate/BTC/USDT:USDT', 'deribit/funding_rate/BTC/USD:BTC']);

const levelsNear = (row: Array<[number, number]>, expected: Array<[number, number]>): boolean =>
  row.length === DEPTH && row.every(([p, a], i) => near(p, expected[i][0]) && near(a, expected[i][1]));

/** Whether a stored snapshot row carries the values of one served snapshot. */
const SAME: Partial<Record<DataType, (row: AnyRow, t: Truth) => boolean>> = {
  orderbook: (row, t) => levelsNear((row as OrderBookRow).bids, t.bids as Array<[number, number]>) && levelsNear((row as OrderBookRow).asks, t.asks as Array<[number, number]>),
  ticker: (row, t) => {
    const r = row as TickerRow;
    // binance futures' 24h ticker has no bid/ask: null then, never 0
    const optional = (v: number | null, e: number): boolean => v === null || near(v, e);
    return near(r.last, t.last as number) && optional(r.bid, t.bid as number) && optional(r.ask, t.ask as number) && (r.bid !== 0 && r.ask !== 0);
  },
  funding_rate: (row, t) => {
    const r = row as FundingRateRow;
    // deribit's funding is continuous: ccxt gives no funding time, stored as NULL (never 0)
    return near(r.fundingRate, t.fundingRate as number) && (r.fundingTime === t.fundingTime || (r.fundingTime === null && row.exchange === 'deribit')) && (r.markPrice === null || near(r.markPrice, t.markPrice as number));
  },
  // contracts where the exchange reports them, else the value (deribit: USD)
  open_interest: (row, t) => {
    const r = row as OpenInterestRow;
    // beside it the amount in base currency (contracts × contract size), exactly; none where only a USD value is given
    const baseAmount = r.openInterestAmount !== null ? r.baseAmount === t.baseAmount : r.baseAmount === null;
    return baseAmount && (r.openInterestAmount !== null ? near(r.openInterestAmount, t.contracts as number) : near(r.openInterestValue, t.value as number));
  },
};

async function verifyTrades(config: ReturnType<typeof loadConfig>, c: Case, symbol: string): Promise<void> {
  const stored = await storedRows(config, 'trades', c.exchange, symbol, since);
  const ids = stored.map((r) => r.tradeId);
  assert.equal(new Set(ids).size, ids.length, `${c.exchange} ${symbol}: no duplicate trades`);
  // the first fetch starts mid-stream, so the boundary millisecond is left out
  const from = stored[0].eventTime + 1;
  const to = stored[stored.length - 1].eventTime;
  type Sized = { contractSize: number | null; baseAmount: number; quoteAmount: number };
  const expected = await truth<{ id: string; timestamp: number; price: number; amount: number; side: string } & Sized>(config, { exchange: c.exchange, type: 'trades', symbol, from, to });
  const byId = new Map<string, TradeRow>(stored.filter((r) => r.eventTime >= from).map((r) => [r.tradeId, r]));
  const missing = expected.filter((t) => !byId.has(t.id));
  if (LATEST_ONLY.has(c.exchange) && missing.length) {
    // a latest-only API cannot back-fill: what it missed must be recorded as a gap, never skipped silently
    const gaps = await storedRecords<CollectionGapRow>(config, COLLECTION_GAPS_TABLE, `exchange = ${quoted(c.exchange)} AND symbol = ${quoted(symbol)} AND detected_at >= ${since}`);
    for (const t of missing) {
      const trade = expected.find((e) => e.id === t.id)!;
      assert.ok(gaps.some((g) => g.fromTime <= trade.timestamp && trade.timestamp <= g.toTime), `${c.exchange} ${symbol}: missed trade ${t.id} lies in a recorded gap`);
    }
  } else {
    assert.deepEqual([...byId.keys()], expected.map((t) => t.id), `${c.exchange} ${symbol}: stored trade ids equal the ground truth, in order`);
  }
  for (const t of expected.filter((e) => byId.has(e.id))) {
    const row = byId.get(t.id)!;
    assert.ok(near(row.price, t.price) && near(row.amount, t.amount) && row.side === t.side, `${c.exchange} ${symbol} trade ${t.id}: ${JSON.stringify(row)} vs ${JSON.stringify(t)}`);
    // the amount in the exchange's unit (okx contracts, deribit USD, base elsewhere), and beside it the contract
    // size and the size in base and quote currency, exactly as the simulated exchange defines them
    const sizes = (x: Sized) => [x.contractSize, x.baseAmount, x.quoteAmount];
    assert.deepEqual(sizes(row as TradeRow & Sized), sizes(t), `${c.exchange} ${symbol} trade ${t.id}: contract size, base and quote amount`);
  }
}

async function verifyRatios(config: ReturnType<typeof loadConfig>, c: Case, symbol: string): Promise<void> {
  const stored = await storedRows(config, c.type as 'lsr_all_account', c.exchange, symbol);
  const expected = await truth<Truth & { longShortRatio: number }>(config, { exchange: c.exchange, type: c.type, symbol, period: '5m', from: stored[0].eventTime, to: stored[stored.length - 1].eventTime });
  assert.deepEqual(stored.map((r) => r.eventTime), expected.map((t) => t.timestamp), `${c.exchange} ${c.type} ${symbol}: every 5m bucket, once`);
  stored.forEach((row: LongShortRatioRow, i) => {
    assert.equal(row.period, '5m');
    assert.ok(near(row.longShortRatio, expected[i].longShortRatio, 1e-3), `${c.exchange} ${c.type} ${symbol} @${row.eventTime}: ${row.longShortRatio} vs ${expected[i].longShortRatio}`);
  });
}

async function verifyVolatility(config: ReturnType<typeof loadConfig>, c: Case, currency: string): Promise<void> {
  const stored = await storedRows(config, 'volatility_index', c.exchange, currency);
  const expected = await truth<Truth & { open: number }>(config, { exchange: c.exchange, type: 'volatility_index', symbol: currency, resolution: 3600, from: stored[0].eventTime, to: stored.at(-1)!.eventTime });
  assert.deepEqual(stored.map((r) => r.eventTime), expected.map((t) => t.timestamp), `${c.exchange} ${currency}: every hourly point, once`);
  stored.forEach((row, i) => {
    assert.equal(row.resolution, '3600');
    assert.ok(near(row.value, expected[i].open, 1e-3), `${currency} @${row.eventTime}: ${row.value} vs ${expected[i].open}`);
  });
}

/** Every settlement between the first and the last stored, once, with its time and size; what deribit lacks is NULL, nothing quarantined. */
async function verifyLiquidations(config: ReturnType<typeof loadConfig>, c: Case, symbol: string): Promise<void> {
  const stored = await storedRows(config, 'liquidations', c.exchange, symbol, since);
  const expected = await truth<Truth & { baseValue: number }>(config, { exchange: c.exchange, type: 'liquidations', symbol, from: stored[0].eventTime, to: stored.at(-1)!.eventTime });
  assert.deepEqual(stored.map((r) => [r.eventTime, r.baseValue]), expected.map((t) => [t.timestamp, t.baseValue]), `${c.exchange} ${symbol}: every settlement, once, as served`);
  assert.equal(new Set(stored.map((r) => r.liquidationId)).size, stored.length);
  for (const row of stored) assert.deepEqual([row.side, row.price, row.amount], [null, null, null], `${c.exchange} ${symbol}: what the settlement lacks is NULL, never 0`);
  const quarantined = await storedRecords<QuarantineRow>(config, QUARANTINE_TABLE, `exchange = ${quoted(c.exchange)} AND data_type = 'liquidations' AND received_at >= ${since}`);
  assert.deepEqual(quarantined.map((q) => q.reason), [], `${c.exchange} liquidations: nothing quarantined`);
}

async function verifySnapshots(config: ReturnType<typeof loadConfig>, c: Case, symbol: string): Promise<void> {
  const stored = await storedRows(config, c.type, c.exchange, symbol, since);
  const served = await truth<Truth>(config, { exchange: c.exchange, type: c.type, symbol, from: stored[0].eventTime - 5_000, to: Date.now() });
  const timeless = TIMELESS.has(`${c.exchange}/${c.type}/${symbol}`);
  const same = SAME[c.type]!;
  for (const row of stored) {
    assert.equal(row.symbol, symbol);
    const match = served.find((t) => (timeless ? t.timestamp <= row.eventTime && row.eventTime - t.timestamp < 2_000 : t.timestamp === row.eventTime) && same(row, t));
    assert.ok(match, `${c.exchange} ${c.type} ${symbol}: stored ${JSON.stringify(row)} was served by the exchange`);
  }
}

describe('collectors store every data type the simulator serves, as its ground truth says', () => {
  const config = loadConfig();
  const exchanges = [...new Set(CASES.map((c) => c.exchange))];
  const h = collectorHarness(config, [...exchanges.map(collectQueue), STORAGE_QUEUE], 'collector-data-types');

  it('collects and verifies each exchange × type', async () => {
    for (const c of CASES) await h.collectors.start({ exchange: c.exchange, dataType: c.type, symbols: c.symbols, intervalMs: 1_000, options: { depth: DEPTH } });
    for (const c of CASES) {
      for (const symbol of c.symbols) {
        await eventually(`${c.min} ${c.exchange} ${c.type} rows for ${symbol}`, async () => ((await storedRows(config, c.type, c.exchange, symbol, SERIES.has(c.type) ? 0 : since)).length >= c.min ? true : undefined), 120_000, 500);
      }
    }
    await h.collectors.stopAll();
    for (const c of CASES) {
      for (const symbol of c.symbols) {
        if (c.type === 'trades') await verifyTrades(config, c, symbol);
        else if (c.type === 'lsr_all_account' || c.type === 'lsr_top_position') await verifyRatios(config, c, symbol);
        else if (c.type === 'volatility_index') await verifyVolatility(config, c, symbol);
        else if (c.type === 'liquidations') await verifyLiquidations(config, c, symbol);
        else await verifySnapshots(config, c, symbol);
      }
    }
  });
});
