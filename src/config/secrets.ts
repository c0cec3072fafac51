import { readFileSync } from 'node:fs';
import { envKey } from './load';

/**
 * Secrets are read here, at the point of use inside activities and workers, from env or files.
 * They are never part of the Config object, workflow arguments, logs or Temporal history.
 */
function fromEnvOrFile(name: string, env: NodeJS.ProcessEnv): string | undefined {
  if (env[name] !== undefined) return env[name];
  const file = env[`${name}_FILE`];
  if (file === undefined) return undefined;
  try {
    return readFileSync(file, 'utf8').trim();
  } catch (err) {
    throw new Error(`${name}_FILE=${file} cannot be read (${(err as NodeJS.ErrnoException).code}); point it at a readable file`);
  }
}

export function storePassword(storeId: string, env: NodeJS.ProcessEnv = process.env): string {
  return fromEnvOrFile(`MARKETPRISM_STORE_${envKey(storeId)}_PASSWORD`, env) ?? '';
}

export interface ExchangeCredentials {
  apiKey?: string;
  secret?: string;
  password?: string;
}

export function exchangeCredentials(exchangeId: string, env: NodeJS.ProcessEnv = process.env): ExchangeCredentials {
  const prefix = `MARKETPRISM_EXCHANGE_${envKey(exchangeId)}_`;
  const creds: ExchangeCredentials = {
    apiKey: fromEnvOrFile(`${prefix}API_KEY`, env),
    secret: fromEnvOrFile(`${prefix}SECRET`, env),
    password: fromEnvOrFile(`${prefix}PASSWORD`, env),
  };
  return Object.fromEntries(Object.entries(creds).filter(([, v]) => v !== undefined));
}
