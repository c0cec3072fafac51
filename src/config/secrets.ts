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

/**
 * Credentials of the S3-compatible backup bucket, from the environment only: MARKETPRISM_BACKUP_S3_ACCESS_KEY_ID
 * and MARKETPRISM_BACKUP_S3_SECRET_ACCESS_KEY (each also as _FILE), else the AWS SDK's usual AWS_ACCESS_KEY_ID,
 * AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN. Undefined when neither is set (the SDK then finds none either).
 */
export function backupS3Credentials(env: NodeJS.ProcessEnv = process.env): { accessKeyId: string; secretAccessKey: string; sessionToken?: string } | undefined {
  const id = fromEnvOrFile('MARKETPRISM_BACKUP_S3_ACCESS_KEY_ID', env);
  const secret = fromEnvOrFile('MARKETPRISM_BACKUP_S3_SECRET_ACCESS_KEY', env);
  if (id !== undefined && secret !== undefined) return { accessKeyId: id, secretAccessKey: secret };
  if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) {
    return { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY, ...(env.AWS_SESSION_TOKEN && { sessionToken: env.AWS_SESSION_TOKEN }) };
  }
  return undefined;
}
