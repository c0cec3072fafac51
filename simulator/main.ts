import { isIP } from 'node:net';
import { Command, InvalidArgumentError } from 'commander';
import { startSimulator } from './server';
import { parseHistoryFlag, type HistoryDepth, type PagedHistoryExchange } from './trade-history';

/**
 * Process entry: `tsx simulator/main.ts --port P [--host A] --seed S --trades-per-second R [--trade-history okx=10m,deribit=all] [--decimal-quirks]`.
 * Prints one JSON line {"ready":true,"url":...} once listening; exits cleanly on SIGTERM/SIGINT;
 * a bad argument or a taken port is one line on stderr and exit code 1.
 */
function integer(name: string, min: number, max: number) {
  return (text: string): number => {
    const value = Number(text);
    if (!/^-?\d+$/.test(text) || value < min || value > max) throw new InvalidArgumentError(`${name} must be a whole number from ${min} to ${max}`);
    return value;
  };
}

/** An IPv4/IPv6 literal or a host name; commander reports the message as one line. */
function host(text: string): string {
  if (!isIP(text) && !/^[a-zA-Z0-9]([a-zA-Z0-9.-]{0,251}[a-zA-Z0-9])?$/.test(text)) {
    throw new InvalidArgumentError('--host must be an IP address such as 127.0.0.1 or 0.0.0.0, or a host name');
  }
  return text;
}

function positive(text: string): number {
  const value = Number(text);
  if (!(value > 0 && value <= 10_000)) throw new InvalidArgumentError('trades per second must be a number above 0 and at most 10000');
  return value;
}

/** --trade-history okx=10m,binance=all → per-exchange history depths; a bad entry is one line. */
function tradeHistory(text: string): Partial<Record<PagedHistoryExchange, HistoryDepth>> {
  try {
    return parseHistoryFlag(text);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
}

async function main(): Promise<void> {
  const program = new Command('simulator')
    .description('MarketPrism exchange simulator (okx, binance, binanceusdm, bybit, deribit)')
    .requiredOption('--port <port>', 'TCP port', integer('--port', 1, 65535))
    .option('--host <addr>', 'listen address (0.0.0.0 to serve other hosts/containers)', host, '127.0.0.1')
    .option('--seed <seed>', 'market seed', integer('--seed', -(2 ** 31), 2 ** 31), 42)
    .option('--trades-per-second <rate>', 'trades per second per instrument', positive, 5)
    .option('--decimal-quirks', 'also list okx DEC/USDT (3-decimal prices between 1 and 10) and TINY/USDT (prices near 1e-8, amounts near 1e8)')
    .option('--instruments <count>', 'generated listings per exchange (okx, binance, binanceusdm, bybit) beside the fixed ones, with uneven trade rates', integer('--instruments', 0, 5000), 0)
    .option('--trade-history <exchange=depth,...>', "how far back paged trade history reaches, e.g. okx=10m,deribit=all (default: the real exchanges': okx 90d, others all)", tradeHistory)
    .exitOverride()
    .configureOutput({ writeErr: () => undefined });
  try {
    program.parse(process.argv);
  } catch (err) {
    const message = (err as Error).message.replace(/^error: /, '');
    if ((err as { code?: string }).code === 'commander.helpDisplayed') process.exit(0);
    process.stderr.write(`simulator: ${message}\n`);
    process.exit(1);
  }
  const opts = program.opts<{ port: number; host: string; seed: number; tradesPerSecond: number; tradeHistory?: Partial<Record<PagedHistoryExchange, HistoryDepth>>; decimalQuirks?: boolean; instruments: number }>();
  let sim;
  try {
    sim = await startSimulator({ port: opts.port, host: opts.host, seed: opts.seed, tradesPerSecond: opts.tradesPerSecond, tradeHistory: opts.tradeHistory, decimalQuirks: opts.decimalQuirks, instruments: opts.instruments });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason =
      code === 'EADDRINUSE' ? `port ${opts.port} is already taken by another program; stop it or pass another --port`
      : code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN' ? `cannot listen on --host ${opts.host}: no such local address (${code}); use 127.0.0.1 or 0.0.0.0`
      : (err as Error).message;
    process.stderr.write(`simulator: ${reason}\n`);
    process.exit(1);
  }
  process.stdout.write(`${JSON.stringify({ ready: true, url: sim.url, host: opts.host, port: sim.port, seed: opts.seed, tradesPerSecond: opts.tradesPerSecond })}\n`);
  const stop = (): void => {
    void sim.close().then(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

void main();
