/**
 * How an exchange activity hands the HTTP response headers of a failed request (Retry-After) to the
 * classifier. ccxt throws errors that carry only a message; the headers of the failing response are
 * on the exchange object (`last_response_headers`, keys Capitalized-Like-This). The activity wraps its
 * ccxt call in callExchange(), which copies those headers onto the thrown error, where classify() reads
 * them. (With one exchange object shared by concurrent activities, the headers may belong to another
 * request of the same exchange; for Retry-After that is still the right exchange to back off from.)
 */
export const RESPONSE_HEADERS = 'responseHeaders';

export type HeaderMap = Record<string, string | string[] | undefined>;

interface HasLastResponseHeaders {
  last_response_headers?: unknown;
}

/** Returns err with `responseHeaders` set (when err is an object and headers were given). */
export function attachResponseHeaders<E>(err: E, headers: unknown): E {
  if (err !== null && typeof err === 'object' && headers !== null && typeof headers === 'object') {
    (err as Record<string, unknown>)[RESPONSE_HEADERS] = headers;
  }
  return err;
}

/** Runs one ccxt call; on failure the error carries the failing response's headers. */
export async function callExchange<T>(exchange: HasLastResponseHeaders, call: () => Promise<T>): Promise<T> {
  // cleared first so headers of an earlier, successful call are never blamed for this failure
  exchange.last_response_headers = undefined;
  try {
    return await call();
  } catch (err) {
    throw attachResponseHeaders(err, exchange.last_response_headers);
  }
}

/** Case-insensitive header lookup on a plain header map. */
export function headerValue(headers: unknown, name: string): string | undefined {
  if (headers === null || typeof headers !== 'object') return undefined;
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers as HeaderMap)) {
    if (key.toLowerCase() !== wanted) continue;
    if (Array.isArray(value)) return value[0];
    return typeof value === 'string' ? value : value === undefined ? undefined : String(value);
  }
  return undefined;
}

/** Retry-After as milliseconds: delta-seconds or an HTTP date (RFC 9110); undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, nowMs: number = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}
