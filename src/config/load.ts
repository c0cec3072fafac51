import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { PROJECT_ROOT } from './project-root';
import { configSchema, type Config } from './schema';

/** The documented default config shipped in the repo. */
export const DEFAULT_CONFIG_PATH = path.join(PROJECT_ROOT, 'config/marketprism.yaml');

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Which file to read: --config, then $MARKETPRISM_CONFIG, then the shipped default. */
export function configPath(explicit?: string, env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(explicit ?? env.MARKETPRISM_CONFIG ?? DEFAULT_CONFIG_PATH);
}

/** Env name for a store or exchange id: replica-1 → REPLICA_1. */
export function envKey(id: string): string {
  return id.toUpperCase().replace(/[^A-Z0-9]/g, '_');
}

/**
 * Endpoints may be overridden from the environment (secrets never live in the config object at all;
 * see src/config/secrets.ts). Overrides are applied to the raw document so validation covers them.
 */
function applyEnvOverrides(raw: Record<string, unknown>, env: NodeJS.ProcessEnv): void {
  const temporal = (raw.temporal ?? {}) as Record<string, unknown>;
  if (env.MARKETPRISM_TEMPORAL_ADDRESS) temporal.address = env.MARKETPRISM_TEMPORAL_ADDRESS;
  if (env.MARKETPRISM_TEMPORAL_NAMESPACE) temporal.namespace = env.MARKETPRISM_TEMPORAL_NAMESPACE;
  raw.temporal = temporal;
  if (Array.isArray(raw.stores)) {
    for (const store of raw.stores as Array<Record<string, unknown>>) {
      const url = typeof store?.id === 'string' ? env[`MARKETPRISM_STORE_${envKey(store.id)}_URL`] : undefined;
      if (url) store.url = url;
    }
  }
  if (env.MARKETPRISM_LOG_LEVEL) raw.logLevel = env.MARKETPRISM_LOG_LEVEL;
  if (env.MARKETPRISM_LOG_FORMAT) raw.logFormat = env.MARKETPRISM_LOG_FORMAT;
}

function describeIssue(issue: z.core.$ZodIssue, raw: unknown): string {
  const key = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '');
  let value: unknown = raw;
  for (const p of issue.path) value = value == null ? undefined : (value as Record<PropertyKey, unknown>)[p as PropertyKey];
  const shown = value === undefined ? 'missing' : JSON.stringify(value);
  let allowed = issue.message;
  if (issue.code === 'invalid_value' && 'values' in issue) allowed = `one of ${issue.values.map(String).join(', ')}`;
  if (issue.code === 'unrecognized_keys') return `${key || '(top level)'}: unknown key(s) ${issue.keys.join(', ')}; remove them or check the spelling`;
  return `${key || '(top level)'} = ${shown}: expected ${allowed.replace(/^Invalid input: expected /, '')}`;
}

/** Checks that span several keys, which the schema cannot express. */
function crossCheck(config: Config): string | undefined {
  const ids = config.stores.map((s) => s.id);
  const dup = ids.find((id, i) => ids.indexOf(id) !== i);
  if (dup) return `stores: id '${dup}' appears twice; give every store its own id`;
  if (config.writeQuorum > config.stores.length) {
    return `writeQuorum = ${config.writeQuorum}: expected at most the number of stores (${config.stores.length})`;
  }
  if (config.backup.target === 's3' && !config.backup.s3) return 'backup.target = "s3": expected a backup.s3 section (bucket, region, endpoint)';
  for (const [i, c] of config.collectors.entries()) {
    if (!(c.exchange in config.exchanges)) {
      return `collectors[${i}].exchange = "${c.exchange}": not configured under exchanges (have: ${Object.keys(config.exchanges).join(', ') || 'none'})`;
    }
  }
  return undefined;
}

export function parseConfig(text: string, source: string, env: NodeJS.ProcessEnv = process.env): Config {
  let raw: unknown;
  try {
    raw = parseYaml(text) ?? {};
  } catch (err) {
    throw new ConfigError(`config ${source}: not valid YAML (${(err as Error).message.split('\n')[0]}); fix the syntax`);
  }
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new ConfigError(`config ${source}: expected a mapping of keys at the top level`);
  applyEnvOverrides(raw as Record<string, unknown>, env);
  const result = configSchema.safeParse(raw);
  if (!result.success) throw new ConfigError(`config ${source}: ${describeIssue(result.error.issues[0], raw)}`);
  const problem = crossCheck(result.data);
  if (problem) throw new ConfigError(`config ${source}: ${problem}`);
  return result.data;
}

export function loadConfig(explicit?: string, env: NodeJS.ProcessEnv = process.env): Config {
  const file = configPath(explicit, env);
  if (!existsSync(file)) throw new ConfigError(`config file ${file} does not exist; pass --config or set MARKETPRISM_CONFIG`);
  return parseConfig(readFileSync(file, 'utf8'), file, env);
}
