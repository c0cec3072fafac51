import { isDataType } from '../src/domain/data-types';
import { EmittedLog, SNAPSHOT_TYPES, type SnapshotType } from './emitted';
import { findInstrument, INSTRUMENTS, isSimExchange, SIM_EXCHANGES, VOLATILITY_CURRENCIES, type Instrument, type SimExchange } from './instruments';
import { reportedTrade, type ActiveDataFault } from './data-faults';
import type { Market } from './market';
import { tradeSizes } from './sizes';

/**
 * Ground truth: GET /_admin/truth?exchange=&type=&symbol=&from=&to=[&market=spot|swap][&period=5m][&resolution=60]
 * Series types (trades, liquidations, long/short ratios, volatility) are recomputed from the generator
 * (every item that exists up to now); snapshot types return exactly what was served (the emitted log).
 */
export class TruthInputError extends Error {
  override name = 'TruthInputError';
}

/** Trades at most this many per query, so a careless range cannot stall the simulator. */
const MAX_TRUTH_TRADES = 200_000;

export function parseDurationMs(text: string): number | undefined {
  const m = /^(\d+)(ms|s|m|h|d)?$/.exec(text);
  if (!m) return undefined;
  const unit = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[(m[2] ?? 'ms') as 'ms' | 's' | 'm' | 'h' | 'd'];
  return Number(m[1]) * unit;
}

/** The data fault in force for an exchange (data-faults.ts): ground truth reports trade times as they are served. */
type DataFaultOf = (exchange: SimExchange) => ActiveDataFault | undefined;

export function truth(
  query: URLSearchParams,
  market: Market,
  emitted: EmittedLog,
  now: number,
  dataFault: DataFaultOf = () => undefined,
  served: Record<SimExchange, Instrument[]> = INSTRUMENTS,
): unknown[] {
  const exchange = query.get('exchange') ?? '';
  if (!isSimExchange(exchange)) throw new TruthInputError(`exchange '${exchange}' is not simulated; use one of ${SIM_EXCHANGES.join(', ')}`);
  const type = query.get('type') ?? '';
  if (!isDataType(type)) throw new TruthInputError(`type '${type}' is unknown; use a MarketPrism data type such as trades or orderbook`);
  const from = Number(query.get('from') ?? 0);
  const to = Math.min(Number(query.get('to') ?? now), now);
  if (!Number.isFinite(from) || !Number.isFinite(to)) throw new TruthInputError('from and to must be epoch milliseconds');
  const symbol = query.get('symbol') ?? '';

  if (type === 'volatility_index') {
    const currency = symbol.split(/[-/]/)[0];
    if (exchange !== 'deribit' || !(VOLATILITY_CURRENCIES as readonly string[]).includes(currency)) {
      throw new TruthInputError(`volatility index is simulated for deribit ${VOLATILITY_CURRENCIES.join(', ')}; got ${exchange} '${symbol}'`);
    }
    const resolutionMs = Number(query.get('resolution') ?? 60) * 1_000;
    if (!(resolutionMs > 0)) throw new TruthInputError('resolution must be a positive number of seconds');
    return market.volatilityBetween(currency, resolutionMs, from, to).map((v) => ({ ...v, currency }));
  }

  const marketType = query.get('market') ?? undefined;
  if (marketType !== undefined && marketType !== 'spot' && marketType !== 'swap') throw new TruthInputError(`market '${marketType}' must be spot or swap`);
  const inst = findInstrument(exchange, symbol, marketType, served);
  if (!inst) {
    const known = served[exchange].map((i) => i.symbol).join(', ');
    throw new TruthInputError(`symbol '${symbol}' is not simulated on ${exchange}; use one of ${known} (or its native id)`);
  }
  const ambiguous = marketType === undefined && inst.id === symbol && findInstrument(exchange, symbol, inst.type === 'spot' ? 'swap' : 'spot', served)?.id === symbol;
  if (ambiguous) throw new TruthInputError(`symbol '${symbol}' is both spot and swap on ${exchange}; add market=spot|swap or use the unified symbol`);
  return seriesOrSnapshots(type, inst, query, market, emitted, from, to, dataFault(inst.exchange));
}

function seriesOrSnapshots(type: string, inst: Instrument, query: URLSearchParams, market: Market, emitted: EmittedLog, from: number, to: number, fault: ActiveDataFault | undefined): unknown[] {
  const ids = { exchange: inst.exchange, symbol: inst.symbol, nativeSymbol: inst.id, marketType: inst.type };
  switch (type) {
    case 'trades': {
      const first = market.firstTradeAtOrAfter(inst, from);
      const last = market.firstTradeAtOrAfter(inst, to + 1) - 1;
      if (last - first >= MAX_TRUTH_TRADES) throw new TruthInputError(`range holds ${last - first + 1} trades; ask for at most ${MAX_TRUTH_TRADES} at a time`);
      // id: the exchange's trade id (deribit: unique per currency), seq: the trade's index in its instrument
      return market.tradeRange(inst, first, last).map((t) => {
        const { tradeId, ...trade } = reportedTrade(market, fault, inst, t);
        return { ...ids, ...trade, ...tradeSizes(inst, trade.amount, trade.price), id: tradeId, seq: t.id };
      });
    }
    case 'liquidations':
      return market.liquidationsBetween(inst, from, to).map((l) => ({ ...ids, ...l, id: String(l.id) }));
    case 'lsr_top_position':
    case 'lsr_all_account': {
      const periodMs = parseDurationMs(query.get('period') ?? '5m');
      if (!periodMs) throw new TruthInputError(`period '${query.get('period')}' must be a duration like 5m or 1h`);
      const kind = type === 'lsr_top_position' ? 'top_position' : 'all_account';
      return market.ratiosBetween(inst, kind, periodMs, from, to).map((r) => ({ ...ids, ...r }));
    }
    default:
      if ((SNAPSHOT_TYPES as readonly string[]).includes(type)) {
        return emitted.between(type as SnapshotType, inst, from, to).map((r) => ({ ...ids, ...r }));
      }
      throw new TruthInputError(`type '${type}' has no ground truth`);
  }
}
