import type { SimRequest, SimResponse } from '../http';
import type { Instrument, SimExchange } from '../instruments';
import type { Market } from '../market';
import type { SnapshotType } from '../emitted';
import type { TradeHistory } from '../trade-history';
import type { ActiveDataFault } from '../data-faults';

/** What every exchange handler gets: the market, the fetchable-history depths and the emitted-snapshot log. */
export interface ExchangeContext {
  market: Market;
  /** the instruments this simulator lists, per exchange (servedInstruments in instruments.ts) */
  instruments: Record<SimExchange, Instrument[]>;
  /** how far back each exchange's paged trade endpoint still serves trades */
  tradeHistory: TradeHistory;
  /** the data fault in force for an exchange (data-faults.ts), if any */
  dataFault(exchange: SimExchange): ActiveDataFault | undefined;
  /** record a snapshot the handler served, so ground truth can return exactly what was emitted */
  recordSnapshot(type: SnapshotType, inst: Instrument, record: { timestamp: number } & Record<string, unknown>): void;
}

/** Fault responses in the exchange's own format (status, headers and body as the real exchange sends them). */
export type FaultKind = 'rate_limit' | 'ban' | 'server_error' | 'service_unavailable' | 'maintenance';

export interface SimExchangeApi {
  id: SimExchange;
  handle(req: SimRequest, ctx: ExchangeContext): SimResponse;
  faultResponse(kind: FaultKind, retryAfterSec: number, now: number): SimResponse;
}
