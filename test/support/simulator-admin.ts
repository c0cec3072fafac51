import type { Config } from '../../src/config/schema';
import { simulatorUrl } from '../../src/services/simulator';

/** The exchange simulator's admin API, as tests and benchmarks drive it: ground truth and faults. */
export async function truth<R>(config: Config, query: Record<string, string | number>): Promise<R[]> {
  const qs = new URLSearchParams(Object.entries(query).map(([k, v]): [string, string] => [k, String(v)]));
  const res = await fetch(`${simulatorUrl(config)}/_admin/truth?${qs}`);
  if (res.status !== 200) throw new Error(`truth ${qs}: ${res.status} ${await res.text()}`);
  return (await res.json()) as R[];
}

export async function setFault(config: Config, fault: { exchange: string; mode: string; rate?: number; forMs?: number; retryAfterSec?: number }): Promise<void> {
  const res = await fetch(`${simulatorUrl(config)}/_admin/faults`, { method: 'POST', body: JSON.stringify(fault) });
  if (res.status !== 200) throw new Error(`fault ${JSON.stringify(fault)}: ${res.status} ${await res.text()}`);
}

/** Clears every fault and restores the start-up trade history depths. */
export async function clearFaults(config: Config): Promise<void> {
  await fetch(`${simulatorUrl(config)}/_admin/reset`, { method: 'POST' });
}

/** How far back an exchange's paged trade history reaches ('60s', ms or 'all'); clearFaults restores the start-up depths. */
export async function setTradeHistory(config: Config, exchange: string, depth: string | number): Promise<void> {
  const res = await fetch(`${simulatorUrl(config)}/_admin/trade-history`, { method: 'POST', body: JSON.stringify({ exchange, depth }) });
  if (res.status !== 200) throw new Error(`trade history ${exchange}=${depth}: ${res.status} ${await res.text()}`);
}

/** Lists a base currency (`{list: 'NEWCOIN'}`) or delists a native id (`{delist: 'X0002USDT'}`) on the simulator. */
export async function changeListing(config: Config, change: { exchange: string; list?: string; delist?: string }): Promise<{ id: string; symbol: string; delisted: boolean }> {
  const res = await fetch(`${simulatorUrl(config)}/_admin/listings`, { method: 'POST', body: JSON.stringify(change) });
  if (res.status !== 200) throw new Error(`listing ${JSON.stringify(change)}: ${res.status} ${await res.text()}`);
  return (await res.json()) as { id: string; symbol: string; delisted: boolean };
}
