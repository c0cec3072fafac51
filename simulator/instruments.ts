/**
 * The small, fixed instrument lists the simulator serves, per exchange. Each instrument carries its
 * exchange-native id and the ccxt unified symbol ccxt derives from the listing the simulator serves,
 * so ground truth can be looked up by either.
 */
export type SimExchange = 'okx' | 'binance' | 'binanceusdm' | 'bybit' | 'deribit';
export const SIM_EXCHANGES: readonly SimExchange[] = ['okx', 'binance', 'binanceusdm', 'bybit', 'deribit'];

export interface Instrument {
  exchange: SimExchange;
  /** exchange-native id, e.g. BTC-USDT-SWAP */
  id: string;
  /** ccxt unified symbol, e.g. BTC/USDT:USDT */
  symbol: string;
  type: 'spot' | 'swap';
  base: string;
  quote: string;
  settle?: string;
  /** price step and amount step, as decimal counts (tick = 10^-priceDecimals) */
  priceDecimals: number;
  amountDecimals: number;
  /** contract value in base currency (linear) or quote currency (inverse); 1 for spot */
  contractSize: number;
  inverse: boolean;
  /** typical trade size in the exchange's amount unit */
  typicalAmount: number;
  /** trades at prices drawn uniformly from this range instead of near the mid price (decimal quirks: many decimals) */
  tradePriceRange?: [number, number];
  /** this instrument's trade rate as a multiple of the simulator's --trades-per-second (default 1) */
  tradeRate?: number;
  /** delisted: still listed, as the real venues do for a while, but no longer trading (ccxt: active false) */
  delisted?: boolean;
}

const BASE_PRICE: Record<string, number> = { BTC: 60_000, ETH: 3_000, DEC: 5.5, TINY: 2.5e-8 };

export function basePrice(asset: string): number {
  return BASE_PRICE[asset] ?? 100;
}

function spot(exchange: SimExchange, id: string, base: string, quote: string): Instrument {
  return {
    exchange, id, symbol: `${base}/${quote}`, type: 'spot', base, quote,
    priceDecimals: base === 'BTC' ? 1 : 2, amountDecimals: base === 'BTC' ? 5 : 4,
    contractSize: 1, inverse: false, typicalAmount: base === 'BTC' ? 0.05 : 0.8,
  };
}

function linearSwap(exchange: SimExchange, id: string, base: string, quote: string, contractSize: number, amountDecimals: number): Instrument {
  return {
    exchange, id, symbol: `${base}/${quote}:${quote}`, type: 'swap', base, quote, settle: quote,
    priceDecimals: base === 'BTC' ? 1 : 2, amountDecimals, contractSize, inverse: false,
    typicalAmount: contractSize === 1 ? (base === 'BTC' ? 0.05 : 0.8) : 5,
  };
}

function inverseSwap(exchange: SimExchange, id: string, base: string): Instrument {
  // deribit perpetuals: amount in USD, contract size 10 USD, price step 0.5 (BTC) / 0.05 (ETH)
  return {
    exchange, id, symbol: `${base}/USD:${base}`, type: 'swap', base, quote: 'USD', settle: base,
    priceDecimals: base === 'BTC' ? 1 : 2, amountDecimals: 0, contractSize: 10, inverse: true, typicalAmount: 2_000,
  };
}

/** Smallest amount increment: one contract (in USD) for inverse contracts, as deribit requires; else 10^-amountDecimals. */
export function amountStep(inst: Instrument): number {
  return inst.inverse ? inst.contractSize : 10 ** -inst.amountDecimals;
}

export const INSTRUMENTS: Record<SimExchange, Instrument[]> = {
  okx: [
    spot('okx', 'BTC-USDT', 'BTC', 'USDT'),
    spot('okx', 'ETH-USDT', 'ETH', 'USDT'),
    linearSwap('okx', 'BTC-USDT-SWAP', 'BTC', 'USDT', 0.01, 0),
    linearSwap('okx', 'ETH-USDT-SWAP', 'ETH', 'USDT', 0.1, 0),
  ],
  binance: [spot('binance', 'BTCUSDT', 'BTC', 'USDT'), spot('binance', 'ETHUSDT', 'ETH', 'USDT')],
  binanceusdm: [
    linearSwap('binanceusdm', 'BTCUSDT', 'BTC', 'USDT', 1, 3),
    linearSwap('binanceusdm', 'ETHUSDT', 'ETH', 'USDT', 1, 3),
  ],
  bybit: [
    spot('bybit', 'BTCUSDT', 'BTC', 'USDT'),
    spot('bybit', 'ETHUSDT', 'ETH', 'USDT'),
    linearSwap('bybit', 'BTCUSDT', 'BTC', 'USDT', 1, 3),
    linearSwap('bybit', 'ETHUSDT', 'ETH', 'USDT', 1, 2),
  ],
  deribit: [inverseSwap('deribit', 'BTC-PERPETUAL', 'BTC'), inverseSwap('deribit', 'ETH-PERPETUAL', 'ETH')],
};

/**
 * Extra okx spot listings served with the `decimalQuirks` option (simulator --decimal-quirks, config
 * simulator.decimalQuirks): values whose decimal text ClickHouse's Float64 parser can store one ULP off.
 * DEC/USDT: trades at 3-decimal prices drawn from 1 to 10 (about 6 % of them misparsed by 18.16: 2.236 →
 * 2.2359999999999998); its order book stays near 5.5.
 * TINY/USDT: prices near 2.5e-8 with 12 decimals (JS prints them with an exponent) and amounts near 1.2e8 with
 * 4 decimals (13 significant digits, which a double carries). Long/short ratios with 4 decimals (1.1501) come from
 * every swap already.
 */
export const DECIMAL_QUIRK_INSTRUMENTS: Instrument[] = [
  { ...spot('okx', 'DEC-USDT', 'DEC', 'USDT'), priceDecimals: 3, amountDecimals: 2, typicalAmount: 250, tradePriceRange: [1, 10] },
  { ...spot('okx', 'TINY-USDT', 'TINY', 'USDT'), priceDecimals: 12, amountDecimals: 4, typicalAmount: 123_456_789 },
];

/** Exchanges that can list generated instruments (--instruments, POST /_admin/listings): their listing endpoints read the served lists. */
export const LISTING_EXCHANGES: readonly SimExchange[] = ['okx', 'binance', 'binanceusdm', 'bybit'];

/**
 * A generated listing on `exchange` with base currency `base` (okx swap, binance spot, binanceusdm and bybit
 * USDT perpetuals), trading at `tradeRate` times the simulator's rate.
 */
export function generatedInstrument(exchange: SimExchange, base: string, tradeRate = 1): Instrument {
  const inst =
    exchange === 'okx' ? linearSwap('okx', `${base}-USDT-SWAP`, base, 'USDT', 1, 0)
    : exchange === 'binance' ? spot('binance', `${base}USDT`, base, 'USDT')
    : exchange === 'bybit' ? linearSwap('bybit', `${base}USDT`, base, 'USDT', 1, 2)
    : linearSwap(exchange, `${base}USDT`, base, 'USDT', 1, 2);
  return { ...inst, tradeRate };
}

/**
 * `count` generated listings (bases X0001, X0002, ...) with uneven trade rates, as on a real venue where a few
 * markets carry most trades: the i-th trades at 2 / (1 + i / 4) times the simulator's rate (2× for the first,
 * 1× for the fifth, about 0.02× for the 400th), never below 0.01×.
 */
export function generatedInstruments(exchange: SimExchange, count: number): Instrument[] {
  return Array.from({ length: count }, (_, i) => generatedInstrument(exchange, `X${String(i + 1).padStart(4, '0')}`, Math.max(0.01, 2 / (1 + i / 4))));
}

export interface ServedOptions {
  decimalQuirks?: boolean;
  /** generated listings per exchange (LISTING_EXCHANGES) beside the fixed ones */
  instruments?: number;
}

/**
 * The instruments a simulator serves: a fresh copy of INSTRUMENTS (listings change it at runtime), plus
 * DECIMAL_QUIRK_INSTRUMENTS on okx and `instruments` generated listings per exchange when asked.
 */
export function servedInstruments(opts: ServedOptions = {}): Record<SimExchange, Instrument[]> {
  const served = Object.fromEntries(SIM_EXCHANGES.map((e) => [e, [...INSTRUMENTS[e]]])) as Record<SimExchange, Instrument[]>;
  if (opts.decimalQuirks) served.okx.push(...DECIMAL_QUIRK_INSTRUMENTS);
  if (opts.instruments) for (const e of LISTING_EXCHANGES) served[e].push(...generatedInstruments(e, opts.instruments));
  return served;
}

/** Deribit volatility index (DVOL) currencies. */
export const VOLATILITY_CURRENCIES = ['BTC', 'ETH'] as const;

export function isSimExchange(value: string): value is SimExchange {
  return (SIM_EXCHANGES as readonly string[]).includes(value);
}

/** Find by native id (optionally narrowed by market type, needed where spot and swap share ids) or unified symbol. */
export function findInstrument(exchange: SimExchange, symbol: string, type?: 'spot' | 'swap', served: Record<SimExchange, Instrument[]> = INSTRUMENTS): Instrument | undefined {
  const list = served[exchange].filter((i) => type === undefined || i.type === type);
  return list.find((i) => i.symbol === symbol) ?? list.find((i) => i.id === symbol);
}
