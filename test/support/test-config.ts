import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { simulatorExchangeConfigs } from '../../simulator/config';
import { parseConfig } from '../../src/config/load';
import type { Config } from '../../src/config/schema';
import { freePort } from '../../src/services/process';

/**
 * A complete config on free ports in a fresh temp dir, so the test stack never collides with a dev
 * stack (or another test run) on the same machine. `extra` adds or replaces top-level sections (benches).
 */
export async function writeTestConfig(
  dir = mkdtempSync(path.join(os.tmpdir(), 'marketprism-test-')),
  extra: Record<string, unknown> = {},
  /** changes anything in the document, ports known (benches: simulator rate, exchange options) */
  edit: (doc: Record<string, any>) => void = () => undefined, // eslint-disable-line @typescript-eslint/no-explicit-any -- a YAML document
): Promise<{ file: string; config: Config }> {
  const ports = { temporal: await freePort(), ui: await freePort(), codec: await freePort(), sim: await freePort() };
  const stores = [];
  for (const id of ['primary', 'replica-1', 'replica-2']) {
    stores.push({ id, url: `http://127.0.0.1:${await freePort()}`, tcpPort: await freePort(), database: 'marketprism' });
  }
  const doc = {
    dataDir: path.join(dir, 'data'),
    logLevel: 'warn',
    temporal: { address: `127.0.0.1:${ports.temporal}`, namespace: 'default', uiPort: ports.ui, codecPort: ports.codec },
    stores,
    writeQuorum: 2,
    simulator: { enabled: true, port: ports.sim, seed: 7, tradesPerSecond: 20 },
    exchanges: simulatorExchangeConfigs(`http://127.0.0.1:${ports.sim}`),
    collectors: [],
    // every worker serves metrics; on a free port, so several can run at once
    metrics: { port: 0 },
    ...extra,
  };
  edit(doc);
  const file = path.join(dir, 'marketprism.yaml');
  const text = stringify(doc);
  writeFileSync(file, text);
  return { file, config: parseConfig(text, file) };
}

/**
 * The test stack's config with a write window of 1.1 s (quorum grace 100 ms + insert heartbeat timeout 1 s), for
 * `replicas repair` right after a write: repair leaves batches younger than that window to their writes (15 s by
 * default, src/client/replicas.ts writeInFlightMs).
 */
export function quickRepairConfigFile(): string {
  const doc = parse(readFileSync(process.env.MARKETPRISM_CONFIG as string, 'utf8')) as Record<string, unknown>;
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'marketprism-quick-repair-')), 'marketprism.yaml');
  writeFileSync(file, stringify({ ...doc, reliability: { ...(doc.reliability as object), writes: { quorumGrace: '100ms', insertHeartbeatTimeout: '1s' } } }));
  return file;
}
