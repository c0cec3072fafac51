import path from 'node:path';
import { PROJECT_ROOT } from '../config/project-root';
import type { Config } from '../config/schema';
import { assertPortFree, runningPid, startDetached, stopFromPidFile, waitUntil } from './process';
import type { ServiceStatus } from './temporal';
import { codecServerUrl, temporalUiOrigins } from './temporal-ui';

/**
 * The codec server of the local Temporal UI (`marketprism codec-server`, src/client/codec-server.ts) as a
 * service of the stack: `services up` runs it beside the dev server it decodes for, whose UI is started with
 * `--ui-codec-endpoint` pointing here (src/services/temporal.ts). It is the CLI command run detached, with
 * its port and origins on the command line, so it needs no config file of its own.
 */
const CLI = path.join(PROJECT_ROOT, 'bin/marketprism.js');

function files(dataDir: string) {
  const dir = path.resolve(dataDir, 'codec-server');
  return { pid: path.join(dir, 'codec-server.pid'), log: path.join(dir, 'codec-server.log') };
}

export async function codecServerHealthy(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1_000) });
    return res.ok;
  } catch {
    return false;
  }
}

export async function codecServerStatus(config: Config): Promise<ServiceStatus> {
  const url = codecServerUrl(config);
  return { name: 'codec-server', address: url, healthy: await codecServerHealthy(url), pid: runningPid(files(config.dataDir).pid), managed: true };
}

export async function startCodecServer(config: Config): Promise<ServiceStatus> {
  const f = files(config.dataDir);
  const url = codecServerUrl(config);
  if (await codecServerHealthy(url)) return codecServerStatus(config);
  if (runningPid(f.pid) !== undefined) await stopFromPidFile(f.pid, 2_000);
  await assertPortFree(config.temporal.codecPort, 'the codec server');
  const args = [CLI, 'codec-server', '--port', String(config.temporal.codecPort), ...temporalUiOrigins(config).flatMap((o) => ['--origin', o])];
  const pid = startDetached({ name: 'codec-server', command: process.execPath, args, pidFile: f.pid, logFile: f.log });
  await waitUntil(`codec server on ${url}`, () => codecServerHealthy(url), {
    timeoutMs: 30_000,
    alive: () => runningPid(f.pid) === pid,
    logFile: f.log,
  });
  return codecServerStatus(config);
}

export async function stopCodecServer(config: Config): Promise<boolean> {
  return stopFromPidFile(files(config.dataDir).pid, 3_000);
}
