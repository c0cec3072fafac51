/** The tiny request/response model exchange handlers work with: no framework, no I/O of their own. */
export interface SimRequest {
  method: string;
  /** path below the exchange prefix, e.g. /api/v5/market/trades */
  path: string;
  query: URLSearchParams;
  /** parsed JSON body of POST requests (deribit JSON-RPC over POST is not used by ccxt; kept for completeness) */
  body?: unknown;
  /** the simulated clock at the moment the request arrived */
  now: number;
}

export interface SimResponse {
  status: number;
  /** a value to JSON-encode, or a raw string sent as is */
  body: unknown;
  headers?: Record<string, string>;
}

export function json(status: number, body: unknown, headers?: Record<string, string>): SimResponse {
  return { status, body, headers };
}

/** Thrown by handlers to answer with an exchange-formatted error; the server turns it into the response. */
export class SimHttpError extends Error {
  constructor(readonly response: SimResponse) {
    super(`simulated exchange error ${response.status}`);
  }
}

/** An integer query parameter, or the fallback when absent; a non-integer is reported through onBad. */
export function intParam(query: URLSearchParams, name: string, fallback: number | undefined, onBad: (name: string) => never): number | undefined {
  const raw = query.get(name);
  if (raw === null || raw === '') return fallback;
  if (!/^-?\d+$/.test(raw)) onBad(name);
  return Number(raw);
}

/** Clamp a requested page size the way exchanges do: default when absent, capped at max. */
export function pageSize(requested: number | undefined, fallback: number, max: number): number {
  if (requested === undefined || requested <= 0) return fallback;
  return Math.min(requested, max);
}
