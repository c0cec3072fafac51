import ccxt, { type Exchange } from 'ccxt';

/** The body of a response ccxt could not parse, kept (cut to this size) so it can be quarantined. */
export const MAX_RAW_BODY_CHARS = 2_000;

/**
 * A 2xx response whose body is not a JSON object or array: a ccxt BadResponse (classified as a server error)
 * carrying the raw body, which unparseable-bodies.ts turns into a quarantine batch; the collector fetches again.
 */
export class UnparseableResponse extends ccxt.BadResponse {
  override name = 'UnparseableResponse';
  constructor(
    message: string,
    readonly rawBody: string,
  ) {
    super(message);
  }
}

function parsesAsJsonContainer(body: string): boolean {
  if (!/^[[{]/.test(body)) return false;
  try {
    const parsed: unknown = JSON.parse(body);
    return parsed !== null && typeof parsed === 'object';
  } catch {
    return false;
  }
}

/**
 * ccxt swallows an unparseable success body: unified methods then return [] or {} and implicit methods the
 * raw text, indistinguishable from "no data". This hook (ccxt's own onRestResponse extension point, wrapped
 * per instance) turns such a body into an error before ccxt parses it, so no fetch ever mistakes a
 * malformed or truncated answer for an empty market.
 */
export function installResponseGuard(exchange: Exchange): void {
  const original = exchange.onRestResponse.bind(exchange);
  exchange.onRestResponse = (statusCode: number, statusText: string, url: string, method: string, responseHeaders: unknown, responseBody: string, requestHeaders: unknown, requestBody: unknown) => {
    const body: string = original(statusCode, statusText, url, method, responseHeaders, responseBody, requestHeaders, requestBody);
    if (statusCode >= 200 && statusCode < 300 && !parsesAsJsonContainer(body)) {
      const shown = body.length ? JSON.stringify(body.slice(0, 80)) : 'an empty body';
      throw new UnparseableResponse(`${exchange.id} ${method} ${url.split('?')[0]} answered ${statusCode} with ${shown}, not JSON; retrying`, body.slice(0, MAX_RAW_BODY_CHARS));
    }
    return body;
  };
}
