import { DATA_FAULT_EXCHANGES, DATA_FAULT_MODES, DEFAULT_DATA_FAULT_RATE, isDataFaultMode } from './data-faults';
import { isSimExchange, SIM_EXCHANGES, type SimExchange } from './instruments';

/**
 * Runtime fault injection, one active fault per exchange. Expiry runs on the wall clock (not the simulated
 * market clock) because faults are about the transport: a test that freezes market time still sees a
 * fault end after forMs. The data faults (data-faults.ts) answer well-formed JSON with bad items in it.
 */
export const TRANSPORT_FAULT_MODES = ['error_rate', 'rate_limit', 'ban', 'server_error', 'hang', 'reset', 'malformed', 'truncated', 'outage'] as const;
export const FAULT_MODES = [...TRANSPORT_FAULT_MODES, ...DATA_FAULT_MODES] as const;
export type FaultMode = (typeof FAULT_MODES)[number];
export const OUTAGE_STYLES = ['reset', 'maintenance'] as const;
export type OutageStyle = (typeof OUTAGE_STYLES)[number];

export interface Fault {
  exchange: SimExchange;
  mode: FaultMode;
  /** probability that a request is affected, 0..1 (data faults: the share of items) */
  rate: number;
  retryAfterSec: number;
  /** wall-clock epoch ms when the fault ends by itself; undefined = until cleared */
  until?: number;
  /** outage only: drop connections (default) or answer 503 maintenance as the exchange does */
  style: OutageStyle;
}

export class FaultInputError extends Error {
  override name = 'FaultInputError';
}

/** Default share of affected requests: every request, except error_rate which is about partial failure. */
const DEFAULT_RATE: Partial<Record<FaultMode, number>> = { error_rate: 0.5 };

export function parseFault(input: unknown, wallNow: number): Fault {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new FaultInputError('fault body must be a JSON object like {"exchange":"okx","mode":"rate_limit","forMs":5000}');
  }
  const body = input as Record<string, unknown>;
  const exchange = String(body.exchange ?? '');
  if (!isSimExchange(exchange)) throw new FaultInputError(`exchange '${exchange}' is not simulated; use one of ${SIM_EXCHANGES.join(', ')}`);
  const mode = String(body.mode ?? '') as FaultMode;
  if (!FAULT_MODES.includes(mode)) throw new FaultInputError(`mode '${String(body.mode)}' is unknown; use one of ${FAULT_MODES.join(', ')}`);
  if (isDataFaultMode(mode) && !DATA_FAULT_EXCHANGES[mode].includes(exchange)) {
    throw new FaultInputError(`mode '${mode}' is simulated on ${DATA_FAULT_EXCHANGES[mode].join(', ')} only, not on ${exchange}`);
  }
  const rate = body.rate === undefined ? (isDataFaultMode(mode) ? DEFAULT_DATA_FAULT_RATE[mode] : (DEFAULT_RATE[mode] ?? 1)) : Number(body.rate);
  if (!(rate >= 0 && rate <= 1)) throw new FaultInputError(`rate ${String(body.rate)} must be a number between 0 and 1`);
  const forMs = body.forMs === undefined ? undefined : Number(body.forMs);
  if (forMs !== undefined && !(Number.isFinite(forMs) && forMs > 0)) throw new FaultInputError(`forMs ${String(body.forMs)} must be a positive number of milliseconds`);
  const retryAfterSec = body.retryAfterSec === undefined ? 1 : Number(body.retryAfterSec);
  if (!(Number.isInteger(retryAfterSec) && retryAfterSec >= 0)) throw new FaultInputError(`retryAfterSec ${String(body.retryAfterSec)} must be a whole number of seconds >= 0`);
  const style = (body.style === undefined ? 'reset' : String(body.style)) as OutageStyle;
  if (!OUTAGE_STYLES.includes(style)) throw new FaultInputError(`style '${String(body.style)}' is unknown; use one of ${OUTAGE_STYLES.join(', ')}`);
  return { exchange, mode, rate, retryAfterSec, until: forMs === undefined ? undefined : wallNow + forMs, style };
}

export class FaultRegistry {
  private readonly faults = new Map<SimExchange, Fault>();

  set(fault: Fault): void {
    this.faults.set(fault.exchange, fault);
  }

  clear(exchange?: SimExchange): void {
    if (exchange === undefined) this.faults.clear();
    else this.faults.delete(exchange);
  }

  /** The fault in force for this exchange right now, dropping it once expired. */
  active(exchange: SimExchange, wallNow: number): Fault | undefined {
    const fault = this.faults.get(exchange);
    if (fault?.until !== undefined && wallNow >= fault.until) {
      this.faults.delete(exchange);
      return undefined;
    }
    return fault;
  }

  list(wallNow: number): Fault[] {
    return SIM_EXCHANGES.map((id) => this.active(id, wallNow)).filter((f): f is Fault => f !== undefined);
  }
}
