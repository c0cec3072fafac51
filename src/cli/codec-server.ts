import type { Command } from 'commander';
import { startCodecServer } from '../client/codec-server';
import { LOOPBACK } from '../config/ports';
import { temporalUiOrigins } from '../services/temporal-ui';
import { configFrom, UsageError, type GlobalOptions } from './context';

interface CodecServerOptions extends GlobalOptions {
  port?: string;
  host: string;
  origin?: string[];
}

function parsePort(text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port < 1 || port > 65535) throw new UsageError(`--port '${text}' is not a port; give a number from 1 to 65535`);
  return port;
}

function parseOrigin(text: string): string {
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    /* reported below */
  }
  if (!url || !/^https?:$/.test(url.protocol) || url.origin !== text.replace(/\/$/, '')) {
    throw new UsageError(`--origin '${text}' is not an origin; write it like http://127.0.0.1:8233 (scheme, host and port, no path)`);
  }
  return url.origin;
}

/**
 * `marketprism codec-server`: the payload codec over HTTP for the Temporal UI, in the foreground.
 * `services up` runs it for the local UI; run it by hand for a UI of your own (--origin) or for
 * `temporal workflow show --codec-endpoint http://127.0.0.1:8234`. Options given need no config file.
 */
export function registerCodecServer(program: Command): void {
  program
    .command('codec-server')
    .description('decode payloads for the Temporal UI: POST /decode and /encode with CORS for the UI (foreground)')
    .option('--port <port>', 'port to listen on (default: temporal.codecPort of the config, 8234)')
    .option('--host <address>', 'interface to bind', LOOPBACK)
    .option('--origin <url...>', 'browser origin(s) allowed to call it (default: the local Temporal UI of the config)')
    .action(async (_o: unknown, cmd: Command) => {
      const opts = cmd.optsWithGlobals<CodecServerOptions>();
      const needsConfig = opts.port === undefined || opts.origin === undefined;
      const config = needsConfig ? configFrom(opts) : undefined;
      const port = opts.port === undefined ? config!.temporal.codecPort : parsePort(opts.port);
      const origins = opts.origin === undefined ? temporalUiOrigins(config!) : opts.origin.map(parseOrigin);
      const server = await startCodecServer({ port, host: opts.host, origins }).catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'EADDRINUSE') throw new UsageError(`port ${port} on ${opts.host} is already taken; stop what uses it or pass another --port`);
        throw err;
      });
      process.stdout.write(`codec server on ${server.url} (POST /decode, /encode); CORS for ${origins.join(', ')}\n`);
      await new Promise<void>((resolve) => {
        for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => resolve());
      });
      await server.close();
    });
}
