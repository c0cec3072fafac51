import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

/**
 * Running local services as detached processes with pid files, so `services up` can return while they
 * keep running, `services status` can find them from another process, and `services down` can stop them.
 */
export interface DetachedSpec {
  name: string;
  command: string;
  args: string[];
  pidFile: string;
  logFile: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

export class ServiceError extends Error {
  override name = 'ServiceError';
}

export function readPid(pidFile: string): number | undefined {
  if (!existsSync(pidFile)) return undefined;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/** Alive and not a zombie: a killed child whose parent has not reaped it yet is dead for our purposes. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true; // no /proc: trust kill(0)
  }
}

/** The pid of a live process recorded in pidFile, or undefined (a stale pid file is removed). */
export function runningPid(pidFile: string): number | undefined {
  const pid = readPid(pidFile);
  if (pid === undefined) return undefined;
  if (isAlive(pid)) return pid;
  rmSync(pidFile, { force: true });
  return undefined;
}

export function startDetached(spec: DetachedSpec): number {
  mkdirSync(path.dirname(spec.pidFile), { recursive: true });
  mkdirSync(path.dirname(spec.logFile), { recursive: true });
  const log = openSync(spec.logFile, 'a');
  try {
    const child = spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      env: spec.env ?? process.env,
      detached: true,
      stdio: ['ignore', log, log],
    });
    // spawn reports a missing binary asynchronously; the caller's health wait notices the dead pid.
    child.on('error', () => undefined);
    if (child.pid === undefined) throw new ServiceError(`${spec.name}: could not start ${spec.command}; is it installed?`);
    child.unref();
    writeFileSync(spec.pidFile, String(child.pid));
    return child.pid;
  } finally {
    closeSync(log);
  }
}

/** SIGTERM, then SIGKILL after graceMs. Safe to call when the process is already gone. */
export async function stopPid(pid: number, graceMs = 10_000): Promise<void> {
  const signal = (sig: NodeJS.Signals): void => {
    try {
      process.kill(-pid, sig); // the whole process group: the service and anything it forked
    } catch {
      try {
        process.kill(pid, sig);
      } catch {
        /* already gone */
      }
    }
  };
  signal('SIGTERM');
  const deadline = Date.now() + graceMs;
  while (isAlive(pid) && Date.now() < deadline) await delay(50);
  if (isAlive(pid)) signal('SIGKILL');
  const killDeadline = Date.now() + 5_000;
  while (isAlive(pid)) {
    if (Date.now() > killDeadline) throw new ServiceError(`process ${pid} survived SIGKILL; check it with ps`);
    await delay(20);
  }
}

export async function stopFromPidFile(pidFile: string, graceMs?: number): Promise<boolean> {
  const pid = runningPid(pidFile);
  if (pid === undefined) return false;
  await stopPid(pid, graceMs);
  rmSync(pidFile, { force: true });
  return true;
}

/** Polls check until it returns true; fails with a one-line reason naming what did not come up. */
export async function waitUntil(
  what: string,
  check: () => Promise<boolean>,
  opts: { timeoutMs: number; intervalMs?: number; alive?: () => boolean; logFile?: string },
): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    const hint = opts.logFile ? `; see ${opts.logFile}` : '';
    if (opts.alive && !opts.alive()) throw new ServiceError(`${what} exited during start-up${hint}`);
    if (Date.now() > deadline) throw new ServiceError(`${what} not healthy after ${opts.timeoutMs / 1000}s${hint}`);
    await delay(opts.intervalMs ?? 100);
  }
}

export function portInUse(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(true));
    server.listen(port, host, () => server.close(() => resolve(false)));
  });
}

/**
 * Fails with a one-line reason when another program holds the port. A process we just killed may hold it
 * for a moment after it looks dead (a multi-threaded server's leader exits before its last thread closes
 * the sockets), so a busy port gets a few seconds to come free first.
 */
export async function assertPortFree(port: number, what: string, graceMs = 3_000): Promise<void> {
  const deadline = Date.now() + graceMs;
  while ((await portInUse(port)) && Date.now() < deadline) await delay(100);
  if (await portInUse(port)) {
    throw new ServiceError(`port ${port} for ${what} is already taken by another program; stop it or choose another port in the config`);
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
