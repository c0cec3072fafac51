import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { LOOPBACK } from '../config/ports';
import { assertPortFree, runningPid, ServiceError, startDetached, stopFromPidFile, waitUntil } from './process';
import { MOTO_SERVER_VERSION } from './versions';

/**
 * An S3-compatible server for tests of the S3 backup store: moto's standalone server (PyPI `moto[server]`,
 * pinned in package.json, installed by scripts/setup.sh). It keeps objects in memory, so it is never a place
 * for real backups: the test harness (test/run.ts) starts one per test run and stops it afterwards.
 */
export function motoBinary(env: NodeJS.ProcessEnv = process.env): string {
  try {
    const scripts = execFileSync('python3', ['-c', 'import sysconfig;print(sysconfig.get_path("scripts"))'], { encoding: 'utf8' }).trim();
    if (existsSync(path.join(scripts, 'moto_server'))) return path.join(scripts, 'moto_server');
  } catch {
    /* no python3: fall through to PATH */
  }
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (dir && existsSync(path.join(dir, 'moto_server'))) return path.join(dir, 'moto_server');
  }
  throw new ServiceError(`moto_server is not installed; run: python3 -m pip install 'moto[server]==${MOTO_SERVER_VERSION}' (scripts/setup.sh does)`);
}

function files(dataDir: string) {
  const dir = path.resolve(dataDir, 'moto-s3');
  return { pid: path.join(dir, 'moto.pid'), log: path.join(dir, 'moto.log') };
}

export function motoEndpoint(port: number): string {
  return `http://${LOOPBACK}:${port}`;
}

async function motoHealthy(endpoint: string): Promise<boolean> {
  try {
    // moto's own dashboard API answers once the server is up, without any credentials
    const res = await fetch(`${endpoint}/moto-api/data.json`, { signal: AbortSignal.timeout(1_000) });
    return res.ok;
  } catch {
    return false;
  }
}

/** Starts moto's S3 server on `port` (idempotent); returns its endpoint. */
export async function startMotoS3(port: number, dataDir: string): Promise<string> {
  const f = files(dataDir);
  const endpoint = motoEndpoint(port);
  if (await motoHealthy(endpoint)) return endpoint;
  if (runningPid(f.pid) !== undefined) await stopFromPidFile(f.pid, 2_000);
  await assertPortFree(port, 'the moto S3 test server');
  const pid = startDetached({ name: 'moto-s3', command: motoBinary(), args: ['-H', LOOPBACK, '-p', String(port)], pidFile: f.pid, logFile: f.log });
  await waitUntil(`moto S3 server on ${endpoint}`, () => motoHealthy(endpoint), { timeoutMs: 30_000, alive: () => runningPid(f.pid) === pid, logFile: f.log });
  return endpoint;
}

export async function stopMotoS3(dataDir: string): Promise<boolean> {
  return stopFromPidFile(files(dataDir).pid, 3_000);
}
