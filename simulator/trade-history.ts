import { DURATION_PATTERN, parseDuration } from '../src/config/duration';
import { SIM_EXCHANGES, type SimExchange } from './instruments';

/**
 * How far back each exchange's cursor-paged trade endpoint still serves trades, as the real ones document it.
 * Older trades exist in ground truth only, so a collector whose cursor is older than this meets a real
 * back-fill gap. bybit has no such endpoint (recent-trade is latest-only, no cursor), so it has no depth.
 */
export const PAGED_HISTORY_EXCHANGES = ['okx', 'binance', 'binanceusdm', 'deribit'] as const;
export type PagedHistoryExchange = (typeof PAGED_HISTORY_EXCHANGES)[number];

/** a time span back from now in ms, or 'all': every trade since the instrument's first */
export type HistoryDepth = number | 'all';

const DAY_MS = 86_400_000;

export const DEFAULT_TRADE_HISTORY: Readonly<Record<PagedHistoryExchange, HistoryDepth>> = {
  // /api/v5/market/history-trades: "the recent transactions of an instrument from the last 3 months"
  okx: 90 * DAY_MS,
  // aggTrades with fromId reaches back to the first trade of the symbol
  binance: 'all',
  binanceusdm: 'all',
  // get_last_trades_by_instrument*: everything with include_old=true (which ccxt always sends), else 7 days
  deribit: 'all',
};

/** deribit without include_old=true: "Include trades older than 7 days, default - false" */
export const DERIBIT_RECENT_MS = 7 * DAY_MS;

export class HistoryInputError extends Error {
  override name = 'HistoryInputError';
}

export function isPagedHistoryExchange(id: string): id is PagedHistoryExchange {
  return (PAGED_HISTORY_EXCHANGES as readonly string[]).includes(id);
}

/** The shallower of two depths ('all' is the deepest). */
export function shallower(a: HistoryDepth, b: HistoryDepth): HistoryDepth {
  if (a === 'all') return b;
  if (b === 'all') return a;
  return Math.min(a, b);
}

/** 'all', a duration ("90d", "10m", "60s") or a positive number of milliseconds. */
export function parseHistoryDepth(value: unknown, what: string): HistoryDepth {
  if (value === 'all') return 'all';
  if (typeof value === 'string' && DURATION_PATTERN.test(value.trim())) {
    const ms = parseDuration(value);
    if (ms > 0) return ms;
  }
  if (typeof value === 'number' && Number.isInteger(value) && value > 0) return value;
  throw new HistoryInputError(`${what} ${JSON.stringify(value)} must be 'all', a duration like 60s, 10m or 90d, or a positive whole number of milliseconds`);
}

export function parseHistoryExchange(value: unknown): PagedHistoryExchange {
  const id = String(value ?? '');
  if (isPagedHistoryExchange(id)) return id;
  if (id === 'bybit') throw new HistoryInputError('bybit serves only its newest trades (recent-trade has no cursor), so it has no history depth to set');
  const known = (SIM_EXCHANGES as readonly string[]).includes(id);
  throw new HistoryInputError(`exchange '${id}' ${known ? 'has no paged trade history' : 'is not simulated'}; use one of ${PAGED_HISTORY_EXCHANGES.join(', ')}`);
}

/**
 * `okx=10m,deribit=all` (the simulator's --trade-history flag) → per-exchange overrides of the defaults.
 */
export function parseHistoryFlag(text: string): Partial<Record<PagedHistoryExchange, HistoryDepth>> {
  const out: Partial<Record<PagedHistoryExchange, HistoryDepth>> = {};
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const [exchange, depth, ...rest] = part.split('=');
    if (depth === undefined || rest.length) throw new HistoryInputError(`--trade-history entry '${part}' must look like okx=10m or binance=all`);
    out[parseHistoryExchange(exchange.trim())] = parseHistoryDepth(depth.trim(), `--trade-history ${exchange.trim()}`);
  }
  return out;
}

/** JSON form: depths in ms or 'all'; bybit shown as 'latest' (its only trade endpoint has no cursor). */
export type HistoryTable = Record<PagedHistoryExchange, HistoryDepth> & Record<Exclude<SimExchange, PagedHistoryExchange>, 'latest'>;

/**
 * The depths in force: the start-up ones (defaults plus overrides), changeable at runtime through the admin
 * API so a test on a shared simulator can make an exchange "forget" its history, and restored by reset.
 */
export class TradeHistory {
  private readonly initial: Record<PagedHistoryExchange, HistoryDepth>;
  private current: Record<PagedHistoryExchange, HistoryDepth>;

  constructor(overrides: Partial<Record<PagedHistoryExchange, HistoryDepth>> = {}) {
    for (const [exchange, depth] of Object.entries(overrides)) parseHistoryDepth(depth, `trade history of ${parseHistoryExchange(exchange)}`);
    this.initial = { ...DEFAULT_TRADE_HISTORY, ...overrides };
    this.current = { ...this.initial };
  }

  depth(exchange: PagedHistoryExchange): HistoryDepth {
    return this.current[exchange];
  }

  set(exchange: PagedHistoryExchange, depth: HistoryDepth): void {
    this.current[exchange] = depth;
  }

  reset(): void {
    this.current = { ...this.initial };
  }

  table(): HistoryTable {
    return { ...this.current, bybit: 'latest' };
  }
}
