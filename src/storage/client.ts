import { createClient, ClickHouseLogLevel, type ClickHouseClient } from '@clickhouse/client';
import type { StoreConfig } from '../config/schema';
import { storePassword } from '../config/secrets';

/**
 * One @clickhouse/client per store per process (it pools keep-alive connections). The password comes from
 * src/config/secrets.ts at this point of use and is never logged or returned. No default database is set:
 * every statement names database.table, so the client also works before the database exists (migrate).
 */
export const STORE_CLIENT_OPTIONS = {
  /** a bounded batch (well under Temporal's 2 MB payload) inserts in well under this */
  requestTimeoutMs: 30_000,
  maxOpenConnections: 10,
  /**
   * Idle pooled sockets close after this (below the server's 3 s keep-alive, so a reused socket is never one
   * the server just closed). Short, because a stopping server waits for open connections to go away.
   */
  idleSocketTtlMs: 1_000,
} as const;

const clients = new Map<string, ClickHouseClient>();

function cacheKey(store: StoreConfig): string {
  return `${store.id}\u0000${store.url}\u0000${store.username}\u0000${store.compression ?? 'auto'}`;
}

/** Whether bodies to and from the store are gzipped: `compression` on/off, or (auto) only when the store is not on this host. */
export function compressed(store: Pick<StoreConfig, 'url' | 'compression'>): boolean {
  const mode = store.compression ?? 'auto';
  if (mode !== 'auto') return mode === 'on';
  const host = new URL(store.url).hostname;
  return !(host === 'localhost' || host === '[::1]' || host === '::1' || /^127\./.test(host));
}

export function storeClient(store: StoreConfig): ClickHouseClient {
  const key = cacheKey(store);
  let client = clients.get(key);
  if (!client) {
    client = createClient({
      url: store.url,
      username: store.username,
      password: storePassword(store.id),
      application: 'marketprism',
      compression: { request: compressed(store), response: compressed(store) },
      request_timeout: STORE_CLIENT_OPTIONS.requestTimeoutMs,
      max_open_connections: STORE_CLIENT_OPTIONS.maxOpenConnections,
      keep_alive: { enabled: true, idle_socket_ttl: STORE_CLIENT_OPTIONS.idleSocketTtlMs, eagerly_destroy_stale_sockets: true },
      // failures are wrapped (src/storage/errors.ts) and logged by the caller, once
      log: { level: ClickHouseLogLevel.OFF },
    });
    clients.set(key, client);
  }
  return client;
}

/** A healthy store answers /ping in milliseconds; one that takes longer than this is counted as not answering. */
export const STORE_PING_TIMEOUT_MS = 2_000;

/**
 * Pings a store (GET /ping) within timeoutMs: a request accepted by a server that is still starting would
 * otherwise wait the whole request timeout (30 s, measured in the recovery bench). Resolves with the client's
 * ping result ({ success: false, error } on failure or timeout); never throws.
 */
export function storePing(store: StoreConfig, timeoutMs = STORE_PING_TIMEOUT_MS): ReturnType<ClickHouseClient['ping']> {
  return storeClient(store).ping({ select: false, abort_signal: AbortSignal.timeout(timeoutMs) });
}

/** Closes every cached client (worker shutdown, tests); later storeClient calls open new ones. */
export async function closeStoreClients(): Promise<void> {
  const open = [...clients.values()];
  clients.clear();
  await Promise.all(open.map((c) => c.close()));
}
