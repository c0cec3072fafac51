import { Client, Connection } from '@temporalio/client';
import type { Config } from '../config/schema';
import { dataConverter } from './data-converter';

export class TemporalUnreachable extends Error {
  override name = 'TemporalUnreachable';
}

export async function connectTemporal(config: Config): Promise<Connection> {
  try {
    return await Connection.connect({ address: config.temporal.address, connectTimeout: 5_000 });
  } catch {
    throw new TemporalUnreachable(`cannot reach Temporal at ${config.temporal.address}; run \`marketprism services up\` or check temporal.address`);
  }
}

export async function temporalClient(config: Config): Promise<Client> {
  const connection = await connectTemporal(config);
  return new Client({ connection, namespace: config.temporal.namespace, dataConverter });
}
