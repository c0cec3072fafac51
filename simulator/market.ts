import { amountStep, basePrice, type Instrument } from './instruments';
import { gaussian, signedUniform, uniform, walk } from './rng';

/**
 * The seeded market generator. Every value is a pure function of (seed, exchange, instrument, time or
 * index), so nothing is stored: a trade, a book or a funding rate at any moment can be recomputed, which is
 * what lets ground truth be read back exactly and lets any amount of history exist "lazily" up to now.
 */
export interface MarketOptions {
  seed: number;
  /** mean trade arrival rate per instrument */
  tradesPerSecond: number;
}

export interface SimTrade {
  /** the trade's index in its instrument: strictly increasing, consecutive (no holes); deribit's trade_seq */
  id: number;
  /**
   * the exchange's trade id: the index itself, except on deribit, whose trade_id is unique per currency: the
   * trades of every instrument of the currency share one id space, so an instrument's ids jump (deribitTradeId)
   */
  tradeId: string;
  timestamp: number;
  price: number;
  /** in the exchange's amount unit (contracts for okx swaps, USD for deribit perpetuals, base otherwise) */
  amount: number;
  side: 'buy' | 'sell';
}

export interface SimBook {
  timestamp: number;
  bids: Array<[number, number]>;
  asks: Array<[number, number]>;
}

export interface SimTicker {
  timestamp: number;
  last: number;
  bid: number;
  bidSize: number;
  ask: number;
  askSize: number;
  open: number;
  high: number;
  low: number;
  /** 24h volume in the exchange's amount unit (contracts for okx swaps), except inverse: base currency */
  baseVolume: number;
  /** 24h volume in quote currency (USD for inverse) */
  quoteVolume: number;
}

export interface SimFunding {
  timestamp: number;
  fundingRate: number;
  /** the next settlement, epoch ms */
  fundingTime: number;
  nextFundingTime: number;
  markPrice: number;
  indexPrice: number;
}

export interface SimOpenInterest {
  timestamp: number;
  /** in contracts (the exchange's amount unit) */
  contracts: number;
  /** in base currency */
  baseAmount: number;
  /** in quote currency (USD for inverse) */
  value: number;
}

export interface SimLiquidation {
  id: number;
  timestamp: number;
  side: 'buy' | 'sell';
  price: number;
  /** in the exchange's amount unit (USD for deribit perpetuals) */
  amount: number;
  /** the same size in base currency (deribit reports bankruptcies only in base currency), 8 decimals */
  baseValue: number;
}

export interface SimRatio {
  timestamp: number;
  longShortRatio: number;
  longAccount: number;
  shortAccount: number;
}

export interface SimVolatility {
  timestamp: number;
  open: number;
  high: number;
  low: number;
  close: number;
}

export type RatioKind = 'top_position' | 'all_account';

/** Round to d decimals and return the number that the decimal string denotes (what a client parses). */
export function roundTo(value: number, decimals: number): number {
  return Number(value.toFixed(decimals));
}

/** Decimal string without exponent or trailing zeros: how exchanges print numbers. */
export function decimalString(value: number, decimals: number): string {
  const fixed = value.toFixed(decimals);
  return fixed.includes('.') ? fixed.replace(/0+$/, '').replace(/\.$/, '') : fixed;
}

const FUNDING_INTERVAL_MS = 8 * 3_600_000;
/** deribit trade ids: where a currency's id space starts, and how many ids each trade of an instrument spans */
const DERIBIT_TRADE_ID_BASE = 195_000_000;
const DERIBIT_IDS_PER_TRADE = 8;
/** one liquidation per instrument per slot of this width (jittered inside it) */
export const LIQUIDATION_SPACING_MS = 10_000;
/** walk() scale: per-second relative volatility of ~1e-4 (≈3 % a day), 12 octaves ≈ 48 days of structure */
const PRICE_STEP = 1e-4;
const PRICE_OCTAVES = 12;

export class Market {
  readonly seed: number;
  readonly tradesPerSecond: number;

  constructor(opts: MarketOptions) {
    if (!(opts.tradesPerSecond > 0)) throw new Error(`tradesPerSecond must be > 0 (got ${opts.tradesPerSecond})`);
    this.seed = opts.seed;
    this.tradesPerSecond = opts.tradesPerSecond;
  }

  /** Unrounded fair price: an asset-wide random walk (so spot and swap agree) plus a small per-instrument basis. */
  midPrice(inst: Instrument, t: number): number {
    const asset = basePrice(inst.base) * Math.exp(PRICE_STEP * walk(t, PRICE_OCTAVES, 1_000, this.seed, 'asset', inst.base));
    const basis = 1 + 2e-4 * signedUniform(this.seed, inst.exchange, inst.id, inst.type, 'basis', Math.floor(t / 60_000));
    return asset * basis;
  }

  private tick(inst: Instrument): number {
    return 10 ** -inst.priceDecimals;
  }

  private roundPrice(inst: Instrument, price: number): number {
    return roundTo(Math.round(price / this.tick(inst)) * this.tick(inst), inst.priceDecimals);
  }

  private key(inst: Instrument): string {
    return `${this.seed}/${inst.exchange}/${inst.type}/${inst.id}`;
  }

  // ---------------------------------------------------------------- trades

  /** Trade n happens in the n-th slot of width 1000/rate ms (jittered inside it): ids and times both increase. */
  trade(inst: Instrument, n: number): SimTrade {
    const k = this.key(inst);
    const slot = 1_000 / (this.tradesPerSecond * (inst.tradeRate ?? 1));
    const timestamp = Math.floor((n + uniform(k, 't', n)) * slot);
    const side = uniform(k, 's', n) < 0.5 ? 'buy' : 'sell';
    const mid = this.midPrice(inst, timestamp);
    const price = inst.tradePriceRange
      ? this.roundPrice(inst, inst.tradePriceRange[0] + (inst.tradePriceRange[1] - inst.tradePriceRange[0]) * uniform(k, 'p', n))
      : this.roundPrice(inst, mid * (1 + (side === 'buy' ? 1 : -1) * 1e-4 * uniform(k, 'p', n)));
    const step = amountStep(inst);
    const raw = inst.typicalAmount * Math.exp(0.8 * gaussian(k, 'a', n));
    const amount = roundTo(Math.max(step, Math.round(raw / step) * step), inst.amountDecimals);
    return { id: n, tradeId: this.tradeId(inst, n), timestamp, price, amount, side };
  }

  /**
   * The exchange's id of trade n. Deribit: "unique (per currency) trade identifier", so between two trades of
   * BTC-PERPETUAL come the ids of the trades of the currency's other instruments (futures, options the simulator
   * does not list): each trade takes one id of its block of DERIBIT_IDS_PER_TRADE, the others are theirs.
   * Strictly increasing with n, never equal to the trade_seq, and not consecutive.
   */
  tradeId(inst: Instrument, n: number): string {
    if (inst.exchange !== 'deribit') return String(n);
    return String(DERIBIT_TRADE_ID_BASE + n * DERIBIT_IDS_PER_TRADE + Math.floor(uniform(this.seed, 'deribit-trade-id', inst.base, n) * DERIBIT_IDS_PER_TRADE));
  }

  /** Index of the first trade with timestamp >= t. */
  firstTradeAtOrAfter(inst: Instrument, t: number): number {
    const slot = 1_000 / (this.tradesPerSecond * (inst.tradeRate ?? 1));
    let n = Math.max(0, Math.floor(t / slot) - 1);
    while (this.trade(inst, n).timestamp < t) n++;
    return n;
  }

  /** Index of the newest trade that has happened at `now`. */
  lastTradeAt(inst: Instrument, now: number): number {
    return this.firstTradeAtOrAfter(inst, now + 1) - 1;
  }

  /** Trades with index in [from, to], oldest first. */
  tradeRange(inst: Instrument, from: number, to: number): SimTrade[] {
    const out: SimTrade[] = [];
    for (let n = from; n <= to; n++) out.push(this.trade(inst, n));
    return out;
  }

  /** Every trade with from <= timestamp <= to, oldest first. */
  tradesBetween(inst: Instrument, from: number, to: number): SimTrade[] {
    return this.tradeRange(inst, this.firstTradeAtOrAfter(inst, from), this.firstTradeAtOrAfter(inst, to + 1) - 1);
  }

  // ---------------------------------------------------------------- snapshots

  orderBook(inst: Instrument, t: number, depth: number): SimBook {
    const k = this.key(inst);
    const tick = this.tick(inst);
    const mid = this.midPrice(inst, t);
    const bestBidTicks = Math.floor(mid / tick);
    const step = amountStep(inst);
    const level = (side: string, i: number): number => {
      const raw = inst.typicalAmount * (1 + i * 0.3) * Math.exp(0.6 * gaussian(k, 'book', side, i, t));
      return roundTo(Math.max(step, Math.round(raw / step) * step), inst.amountDecimals);
    };
    const bids: Array<[number, number]> = [];
    const asks: Array<[number, number]> = [];
    for (let i = 0; i < depth; i++) {
      bids.push([roundTo((bestBidTicks - i) * tick, inst.priceDecimals), level('b', i)]);
      asks.push([roundTo((bestBidTicks + 1 + i) * tick, inst.priceDecimals), level('a', i)]);
    }
    return { timestamp: t, bids, asks };
  }

  ticker(inst: Instrument, t: number): SimTicker {
    const book = this.orderBook(inst, t, 1);
    const last = this.trade(inst, this.lastTradeAt(inst, t)).price;
    const samples = Array.from({ length: 25 }, (_, i) => this.midPrice(inst, t - 86_400_000 + i * 3_600_000));
    samples.push(last);
    const amountVolume = roundTo(this.tradesPerSecond * 86_400 * inst.typicalAmount * (1 + 0.2 * signedUniform(this.key(inst), 'vol', Math.floor(t / 60_000))), inst.amountDecimals);
    // inverse amounts are already quote currency (USD): base volume is that over the price (as deribit reports it)
    const baseVolume = inst.inverse ? roundTo(amountVolume / last, 4) : amountVolume;
    const quoteVolume = inst.inverse ? roundTo(amountVolume, 2) : roundTo(amountVolume * inst.contractSize * last, 2);
    return {
      timestamp: t,
      last,
      bid: book.bids[0][0],
      bidSize: book.bids[0][1],
      ask: book.asks[0][0],
      askSize: book.asks[0][1],
      open: this.roundPrice(inst, samples[0]),
      high: this.roundPrice(inst, Math.max(...samples)),
      low: this.roundPrice(inst, Math.min(...samples)),
      baseVolume,
      quoteVolume,
    };
  }

  funding(inst: Instrument, t: number): SimFunding {
    const rate = roundTo(0.0001 + 0.00008 * signedUniform(this.key(inst), 'funding', Math.floor(t / 60_000)), 8);
    const fundingTime = (Math.floor(t / FUNDING_INTERVAL_MS) + 1) * FUNDING_INTERVAL_MS;
    const mid = this.midPrice(inst, t);
    return {
      timestamp: t,
      fundingRate: rate,
      fundingTime,
      nextFundingTime: fundingTime + FUNDING_INTERVAL_MS,
      markPrice: this.roundPrice(inst, mid),
      indexPrice: this.roundPrice(inst, mid * (1 - 1e-4)),
    };
  }

  openInterest(inst: Instrument, t: number): SimOpenInterest {
    const mid = this.midPrice(inst, t);
    const baseTarget = inst.base === 'BTC' ? 25_000 : 300_000; // open interest in base currency
    const baseAmountRaw = baseTarget * (1 + 0.002 * walk(t, 8, 1_000, this.key(inst), 'oi') / 255);
    const contractsRaw = inst.inverse ? (baseAmountRaw * mid) / inst.contractSize : baseAmountRaw / inst.contractSize;
    const contracts = roundTo(contractsRaw, inst.inverse ? 0 : inst.amountDecimals);
    const baseAmount = roundTo(inst.inverse ? (contracts * inst.contractSize) / mid : contracts * inst.contractSize, 4);
    return { timestamp: t, contracts, baseAmount, value: roundTo(inst.inverse ? contracts * inst.contractSize : baseAmount * mid, 2) };
  }

  // ---------------------------------------------------------------- series

  liquidation(inst: Instrument, m: number): SimLiquidation {
    const k = this.key(inst);
    const timestamp = Math.floor((m + uniform(k, 'lt', m)) * LIQUIDATION_SPACING_MS);
    const side = uniform(k, 'ls', m) < 0.5 ? 'buy' : 'sell';
    const price = this.roundPrice(inst, this.midPrice(inst, timestamp) * (1 + (side === 'buy' ? 1 : -1) * 5e-4));
    const step = amountStep(inst);
    const amount = roundTo(Math.max(step, Math.round((inst.typicalAmount * 3 * (0.2 + uniform(k, 'la', m))) / step) * step), inst.amountDecimals);
    // inverse amounts are quote currency (USD), linear amounts are contracts of contractSize base units
    const baseValue = roundTo(inst.inverse ? amount / price : amount * inst.contractSize, 8);
    return { id: m, timestamp, side, price, amount, baseValue };
  }

  /**
   * The newest `count` liquidations with timestamp <= atOrBefore and id < belowId (when given), newest first:
   * how exchanges page liquidation history backwards.
   */
  latestLiquidations(inst: Instrument, atOrBefore: number, count: number, belowId?: number): SimLiquidation[] {
    const out: SimLiquidation[] = [];
    let m = Math.floor(atOrBefore / LIQUIDATION_SPACING_MS);
    if (belowId !== undefined) m = Math.min(m, belowId - 1);
    for (; m >= 0 && out.length < count; m--) {
      const liq = this.liquidation(inst, m);
      if (liq.timestamp <= atOrBefore) out.push(liq);
    }
    return out;
  }

  liquidationsBetween(inst: Instrument, from: number, to: number): SimLiquidation[] {
    const out: SimLiquidation[] = [];
    for (let m = Math.max(0, Math.floor(from / LIQUIDATION_SPACING_MS) - 1); m <= Math.floor(to / LIQUIDATION_SPACING_MS); m++) {
      const liq = this.liquidation(inst, m);
      if (liq.timestamp >= from && liq.timestamp <= to) out.push(liq);
    }
    return out;
  }

  /** Long/short ratio for the period starting at bucketStart (a multiple of periodMs). */
  ratio(inst: Instrument, kind: RatioKind, bucketStart: number): SimRatio {
    const longAccount = roundTo(0.5 + 0.15 * signedUniform(this.key(inst), 'lsr', kind, bucketStart), 4);
    const shortAccount = roundTo(1 - longAccount, 4);
    return { timestamp: bucketStart, longAccount, shortAccount, longShortRatio: roundTo(longAccount / shortAccount, 4) };
  }

  /** Ratio buckets that have started within [from, to], oldest first. */
  ratiosBetween(inst: Instrument, kind: RatioKind, periodMs: number, from: number, to: number): SimRatio[] {
    const out: SimRatio[] = [];
    for (let b = Math.ceil(from / periodMs) * periodMs; b <= to; b += periodMs) out.push(this.ratio(inst, kind, b));
    return out;
  }

  /** Volatility index candle (deribit DVOL) of `resolutionMs` starting at bucketStart. */
  volatility(currency: string, resolutionMs: number, bucketStart: number): SimVolatility {
    const at = (t: number): number => roundTo(50 + 0.05 * walk(t, 10, 1_000, this.seed, 'dvol', currency), 2);
    const open = at(bucketStart);
    const close = at(bucketStart + resolutionMs - 1);
    const mid = at(bucketStart + resolutionMs / 2);
    return { timestamp: bucketStart, open, high: Math.max(open, close, mid), low: Math.min(open, close, mid), close };
  }

  volatilityBetween(currency: string, resolutionMs: number, from: number, to: number): SimVolatility[] {
    const out: SimVolatility[] = [];
    for (let b = Math.ceil(from / resolutionMs) * resolutionMs; b <= to; b += resolutionMs) out.push(this.volatility(currency, resolutionMs, b));
    return out;
  }
}
