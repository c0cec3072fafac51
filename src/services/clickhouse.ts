import { createHash } from 'node:crypto';
import { accessSync, constants, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { StoreConfig } from '../config/schema';
import { storePassword } from '../config/secrets';
import { LOOPBACK } from '../config/ports';
import { assertPortFree, isAlive, readPid, ServiceError, startDetached, stopPid, waitUntil } from './process';

/**
 * Local ClickHouse servers, one process per store (Debian's clickhouse-server 18.16 or newer), each with its
 * own config, ports and data directory under <dataDir>/clickhouse/<id>/. Only HTTP and native TCP listen, on
 * 127.0.0.1; no interserver port is opened.
 */

export interface StoreStatus {
  id: string;
  url: string;
  tcpPort?: number;
  pid?: number;
  healthy: boolean;
}

export interface StoreStartResult extends StoreStatus {
  /** false when the store was already running and healthy (start is idempotent) */
  started: boolean;
  /** seconds from spawn to a healthy /ping, when this call started it */
  secondsToHealthy?: number;
}

/** Where to find the server binary: $MARKETPRISM_CLICKHOUSE_SERVER, else clickhouse-server on PATH or in /usr/sbin. */
export const CLICKHOUSE_BINARY_ENV = 'MARKETPRISM_CLICKHOUSE_SERVER';
const START_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 15_000;
const PING_TIMEOUT_MS = 1_000;
/** Small caches keep start-up fast and memory low; these are collectors, not analytics servers. */
const MARK_CACHE_BYTES = 64 * 1024 * 1024;
const UNCOMPRESSED_CACHE_BYTES = 64 * 1024 * 1024;
/** Seconds a part replaced by a merge or mutation stays on disk (ClickHouse's default is 480). */
const OLD_PARTS_LIFETIME_S = 5;

export interface StorePaths {
  dir: string;
  configFile: string;
  usersFile: string;
  dataPath: string;
  tmpPath: string;
  pidFile: string;
  /** stdout/stderr of the process */
  processLog: string;
  serverLog: string;
  errorLog: string;
}

export function storePaths(store: StoreConfig, dataDir: string): StorePaths {
  const dir = path.resolve(dataDir, 'clickhouse', store.id);
  return {
    dir,
    configFile: path.join(dir, 'config.xml'),
    usersFile: path.join(dir, 'users.xml'),
    dataPath: path.join(dir, 'data') + '/',
    tmpPath: path.join(dir, 'tmp') + '/',
    pidFile: path.join(dir, 'clickhouse.pid'),
    processLog: path.join(dir, 'process.log'),
    serverLog: path.join(dir, 'server.log'),
    errorLog: path.join(dir, 'server.err.log'),
  };
}

interface LocalPorts {
  http: number;
  tcp: number;
}

function localPorts(store: StoreConfig): LocalPorts {
  const url = new URL(store.url);
  if (url.hostname !== LOOPBACK && url.hostname !== 'localhost') {
    throw new ServiceError(`store ${store.id}: url ${store.url} is not on ${LOOPBACK}; a store MarketPrism runs itself must be local (or set managed: false)`);
  }
  if (url.protocol !== 'http:') throw new ServiceError(`store ${store.id}: url ${store.url} must be http:// for a local store`);
  const http = Number(url.port || 80);
  if (store.tcpPort === undefined) throw new ServiceError(`store ${store.id}: tcpPort is missing; set it in the config so the local server has a native port`);
  return { http, tcp: store.tcpPort };
}

export function clickhouseBinary(env: NodeJS.ProcessEnv = process.env): string {
  const explicit = env[CLICKHOUSE_BINARY_ENV];
  const candidates = explicit
    ? [explicit]
    : [...(env.PATH ?? '').split(path.delimiter).filter(Boolean), '/usr/sbin', '/usr/bin'].map((dir) => path.join(dir, 'clickhouse-server'));
  for (const file of candidates) {
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      /* try the next one */
    }
  }
  const where = explicit ? `${CLICKHOUSE_BINARY_ENV}=${explicit} is not an executable file` : 'clickhouse-server is not installed';
  throw new ServiceError(`${where}; run \`apt-get install clickhouse-server\` (or point ${CLICKHOUSE_BINARY_ENV} at the binary)`);
}

function xmlText(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The server config: only what 18.16 needs to run without systemd, plus small caches. Root element <yandex> works on current releases too. */
export function serverConfigXml(paths: StorePaths, ports: LocalPorts): string {
  return `<?xml version="1.0"?>
<!-- Written by MarketPrism (src/services/clickhouse.ts); regenerated on every start. -->
<yandex>
  <logger>
    <level>warning</level>
    <log>${xmlText(paths.serverLog)}</log>
    <errorlog>${xmlText(paths.errorLog)}</errorlog>
  </logger>
  <http_port>${ports.http}</http_port>
  <tcp_port>${ports.tcp}</tcp_port>
  <listen_host>${LOOPBACK}</listen_host>
  <path>${xmlText(paths.dataPath)}</path>
  <tmp_path>${xmlText(paths.tmpPath)}</tmp_path>
  <users_config>${xmlText(paths.usersFile)}</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <mark_cache_size>${MARK_CACHE_BYTES}</mark_cache_size>
  <uncompressed_cache_size>${UNCOMPRESSED_CACHE_BYTES}</uncompressed_cache_size>
  <max_concurrent_queries>50</max_concurrent_queries>
  <!-- clients close idle sockets sooner (src/storage/client.ts), so they never reuse one the server closed -->
  <keep_alive_timeout>3</keep_alive_timeout>
  <!-- parts replaced by a merge or mutation go after ${OLD_PARTS_LIFETIME_S} s, not 8 min: 18.16's ALTER MODIFY COLUMN converts them too,
       so migration 4 waits for them (src/storage/decimal-migration.ts); every batch is on other stores as well -->
  <merge_tree><old_parts_lifetime>${OLD_PARTS_LIFETIME_S}</old_parts_lifetime></merge_tree>
</yandex>
`;
}

/**
 * Our own users file, so the store's password (from src/config/secrets.ts) is enforced and only loopback
 * clients are accepted. The password is stored only as its SHA-256.
 */
export function usersXml(username: string, password: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(username)) {
    throw new ServiceError(`store username '${username}' cannot name a local ClickHouse user; use letters, digits and _`);
  }
  const credential = password === '' ? '<password></password>' : `<password_sha256_hex>${createHash('sha256').update(password).digest('hex')}</password_sha256_hex>`;
  return `<?xml version="1.0"?>
<!-- Written by MarketPrism (src/services/clickhouse.ts); regenerated on every start. -->
<yandex>
  <profiles>
    <default><max_memory_usage>4000000000</max_memory_usage><use_uncompressed_cache>0</use_uncompressed_cache></default>
  </profiles>
  <users>
    <${username}>
      ${credential}
      <networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
      <profile>default</profile>
      <quota>default</quota>
    </${username}>
  </users>
  <quotas>
    <default><interval><duration>3600</duration><queries>0</queries><errors>0</errors><result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time></interval></default>
  </quotas>
</yandex>
`;
}

/**
 * GET /ping answers "Ok." once the server accepts queries. No keep-alive: an idle pooled connection would make
 * the server wait for it on shutdown.
 */
export function pingStore(url: string, timeoutMs = PING_TIMEOUT_MS): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get(new URL('/ping', url), { agent: false, headers: { connection: 'close' }, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve(res.statusCode === 200 && body.trim() === 'Ok.'));
      res.on('error', () => resolve(false));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

/** The pid in the pid file, if that process is alive and is this store's server (pids get reused). */
function ownPid(paths: StorePaths): number | undefined {
  const pid = readPid(paths.pidFile);
  if (pid === undefined) return undefined;
  let ours = isAlive(pid);
  if (ours && existsSync(`/proc/${pid}/cmdline`)) {
    ours = readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(paths.configFile);
  }
  if (!ours) rmSync(paths.pidFile, { force: true });
  return ours ? pid : undefined;
}

export async function storeStatus(store: StoreConfig, dataDir: string): Promise<StoreStatus> {
  const pid = ownPid(storePaths(store, dataDir));
  const healthy = await pingStore(store.url);
  return { id: store.id, url: store.url, ...(store.tcpPort !== undefined && { tcpPort: store.tcpPort }), ...(pid !== undefined && { pid }), healthy };
}

/** Starts the store's server and waits until it is healthy. Already running and healthy: no-op. */
export async function startStore(store: StoreConfig, dataDir: string): Promise<StoreStartResult> {
  const paths = storePaths(store, dataDir);
  const ports = localPorts(store);
  const what = `ClickHouse store ${store.id}`;
  const running = ownPid(paths);
  if (running !== undefined) {
    try {
      // ours and alive: healthy now, or still starting from another call
      await waitUntil(what, () => pingStore(store.url), { timeoutMs: START_TIMEOUT_MS, alive: () => isAlive(running) });
      return { ...(await storeStatus(store, dataDir)), started: false };
    } catch {
      await stopPid(running, STOP_GRACE_MS); // wedged: restart it below
      rmSync(paths.pidFile, { force: true });
    }
  }
  const binary = clickhouseBinary();
  await assertPortFree(ports.http, `${what} (HTTP)`);
  await assertPortFree(ports.tcp, `${what} (native TCP)`);
  for (const dir of [paths.dir, paths.dataPath, paths.tmpPath]) mkdirSync(dir, { recursive: true });
  writeFileSync(paths.configFile, serverConfigXml(paths, ports));
  writeFileSync(paths.usersFile, usersXml(store.username, storePassword(store.id)), { mode: 0o600 });
  const spawnedAt = Date.now();
  const pid = startDetached({
    name: what,
    command: binary,
    args: [`--config-file=${paths.configFile}`],
    pidFile: paths.pidFile,
    logFile: paths.processLog,
    cwd: paths.dir,
  });
  await waitUntil(what, () => pingStore(store.url), { timeoutMs: START_TIMEOUT_MS, alive: () => isAlive(pid), logFile: paths.errorLog });
  const secondsToHealthy = (Date.now() - spawnedAt) / 1000;
  return { ...(await storeStatus(store, dataDir)), started: true, secondsToHealthy };
}

/** Stops the store's server if this data dir runs it; returns whether it was running. */
export async function stopStore(store: StoreConfig, dataDir: string): Promise<boolean> {
  const paths = storePaths(store, dataDir);
  const pid = ownPid(paths);
  if (pid === undefined) return false;
  await stopPid(pid, STOP_GRACE_MS);
  rmSync(paths.pidFile, { force: true });
  return true;
}
