/**
 * Store failures in two kinds the reliability layer can classify without parsing driver internals:
 * StoreUnavailableError (could not talk to the store: retry later, count against its breaker) and
 * StoreQueryError (the store answered with an exception; `clickhouseCode` is its numeric code).
 * Both keep the original error as `cause` and its Node `code` (ECONNREFUSED, ...).
 */
const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_SOCKET']);

export class StoreUnavailableError extends Error {
  override name = 'StoreUnavailableError';
  constructor(
    message: string,
    readonly storeId: string,
    readonly code: string | undefined,
    options?: { cause: unknown },
  ) {
    super(message, options);
  }
}

export class StoreQueryError extends Error {
  override name = 'StoreQueryError';
  constructor(
    message: string,
    readonly storeId: string,
    readonly clickhouseCode: number | undefined,
    options?: { cause: unknown },
  ) {
    super(message, options);
  }
}

function isConnectionFailure(err: Error & { code?: string }): boolean {
  if (err.code && CONNECTION_CODES.has(err.code)) return true;
  return /socket hang up|Timeout error|timed out|ECONNREFUSED|ECONNRESET/i.test(err.message);
}

/** Wraps any error thrown by @clickhouse/client for store `storeId`. Already wrapped errors pass through. */
export function storeError(storeId: string, url: string, err: unknown): Error {
  if (err instanceof StoreUnavailableError || err instanceof StoreQueryError) return err;
  const e: Error & { code?: string } = err instanceof Error ? err : new Error(String(err));
  const firstLine = e.message.split('\n')[0];
  if (isConnectionFailure(e)) {
    return new StoreUnavailableError(`store ${storeId} (${url}) is unreachable: ${firstLine}`, storeId, e.code, { cause: e });
  }
  const code = /Code: (\d+)/.exec(e.message)?.[1] ?? (typeof e.code === 'string' && /^\d+$/.test(e.code) ? e.code : undefined);
  return new StoreQueryError(`store ${storeId}: ${firstLine}`, storeId, code === undefined ? undefined : Number(code), { cause: e });
}
