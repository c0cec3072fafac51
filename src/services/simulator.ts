import path from 'node:path';
import type { Config } from '../config/schema';
import { LOOPBACK } from '../config/ports';
import { PROJECT_ROOT } from '../config/project-root';
import { assertPortFree, runningPid, startDetached, stopFromPidFile, waitUntil } from './process';
import type { ServiceStatus } from './temporal';

/**
 * The exchange simulator runs as its own process (simulator/main.ts, kept apart from production code);
 * this module only starts, checks and stops that process. Nothing else in src knows it exists.
 */
const SIMULATOR_MAIN = path.join(PROJECT_ROOT, 'simulator/main.ts');

/** The simulator's command-line flags from the config. */
export function simulatorFlags(config: Config): string[] {
  return [
    '--port', String(config.simulator.port),
    '--seed', String(config.simulator.seed),
    '--trades-per-second', String(config.simulator.tradesPerSecond),
    ...(config.simulator.decimalQuirks ? ['--decimal-quirks'] : []),
    ...(config.simulator.instruments > 0 ? ['--instruments', String(config.simulator.instruments)] : []),
  ];
}

/** node arguments that run the simulator (TypeScript, through tsx, from src and dist alike) with these flags. */
export function simulatorArgs(flags: string[]): string[] {
  return ['--require', require.resolve('tsx/cjs'), SIMULATOR_MAIN, ...flags];
}

function files(dataDir: string) {
  const dir = path.resolve(dataDir, 'simulator');
  return { pid: path.join(dir, 'simulator.pid'), log: path.join(dir, 'simulator.log') };
}

export function simulatorUrl(config: Config): string {
  return `http://${LOOPBACK}:${config.simulator.port}`;
}

export async function simulatorHealthy(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/_admin/health`, { signal: AbortSignal.timeout(1_000) });
    return res.ok;
  } catch {
    return false;
  }
}

export async function simulatorStatus(config: Config): Promise<ServiceStatus> {
  const url = simulatorUrl(config);
  return { name: 'simulator', address: url, healthy: await simulatorHealthy(url), pid: runningPid(files(config.dataDir).pid), managed: true };
}

export async function startSimulator(config: Config): Promise<ServiceStatus> {
  const f = files(config.dataDir);
  const url = simulatorUrl(config);
  if (await simulatorHealthy(url)) return simulatorStatus(config);
  if (runningPid(f.pid) !== undefined) await stopFromPidFile(f.pid, 2_000);
  await assertPortFree(config.simulator.port, 'the exchange simulator');
  const args = simulatorArgs(simulatorFlags(config));
  const pid = startDetached({ name: 'simulator', command: process.execPath, args, pidFile: f.pid, logFile: f.log });
  await waitUntil(`exchange simulator on ${url}`, () => simulatorHealthy(url), {
    timeoutMs: 30_000,
    alive: () => runningPid(f.pid) === pid,
    logFile: f.log,
  });
  return simulatorStatus(config);
}

export async function stopSimulator(config: Config): Promise<boolean> {
  return stopFromPidFile(files(config.dataDir).pid, 3_000);
}
