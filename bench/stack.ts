import { servicesDown, servicesUp } from '../src/services/stack';
import type { Config } from '../src/config/schema';
import { writeTestConfig } from '../test/support/test-config';

/** A private stack on free ports for one benchmark, stopped afterwards whatever happens. */
export async function withStack<T>(run: (config: Config, configFile: string) => Promise<T>, extra: Record<string, unknown> = {}, edit?: Parameters<typeof writeTestConfig>[2]): Promise<T> {
  const { config, file } = await writeTestConfig(undefined, extra, edit);
  await servicesUp(config);
  try {
    return await run(config, file);
  } finally {
    await servicesDown(config);
  }
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)];
}
