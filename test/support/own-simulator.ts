import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import type { Config } from '../../src/config/schema';
import { freePort } from '../../src/services/process';
import { simulatorExchangeConfigs } from '../../simulator/config';
import { startSimulator, type RunningSimulator, type SimulatorOptions } from '../../simulator/server';

/**
 * A simulator of a test's own (its own listings, rate or quirks, away from the shared one), with the stack's
 * config pointed at it for `exchanges`: as a Config for in-process workers and clients, and as a config file
 * `<name>.yaml` beside the stack's for the CLI and worker processes.
 */
export async function ownSimulator(base: Config, name: string, exchanges: readonly string[], opts: Omit<SimulatorOptions, 'port'>): Promise<{ sim: RunningSimulator; config: Config; file: string }> {
  const sim = await startSimulator({ port: await freePort(), ...opts });
  const blocks = simulatorExchangeConfigs(sim.url);
  const config: Config = { ...base, simulator: { ...base.simulator, port: sim.port }, exchanges: { ...base.exchanges } };
  const doc = parse(readFileSync(process.env.MARKETPRISM_CONFIG!, 'utf8')) as { exchanges: Record<string, object>; simulator: Record<string, unknown> };
  doc.simulator = { ...doc.simulator, port: sim.port };
  for (const id of exchanges) {
    config.exchanges[id] = { ...base.exchanges[id], ...blocks[id] };
    doc.exchanges[id] = { ...doc.exchanges[id], ...blocks[id] };
  }
  const file = path.join(path.dirname(process.env.MARKETPRISM_CONFIG!), `${name}.yaml`);
  writeFileSync(file, stringify(doc));
  return { sim, config, file };
}
