import { spawn } from 'node:child_process';
import type { Command } from 'commander';
import { parseDuration } from '../config/schema';
import { simulatorArgs, simulatorFlags, simulatorUrl } from '../services/simulator';
import { configFrom, output, UsageError, type GlobalOptions } from './context';

/**
 * The simulator's own commands. They talk to it over its admin HTTP API (or start its process),
 * so production code never imports simulator code.
 */
async function admin(url: string, method: string, route: string, body?: unknown): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(`${url}${route}`, {
      method,
      headers: body ? { 'content-type': 'application/json' } : undefined,
      body: body ? JSON.stringify(body) : undefined,
      signal: AbortSignal.timeout(10_000),
    });
  } catch {
    throw new UsageError(`the exchange simulator is not reachable at ${url}; run \`marketprism services up\` or \`marketprism sim start\``);
  }
  const text = await res.text();
  if (!res.ok) throw new UsageError(`simulator refused: ${text.trim().split('\n')[0]}`);
  return text ? JSON.parse(text) : null;
}

function durationMs(text: string, flag: string): number {
  try {
    return parseDuration(text);
  } catch {
    throw new UsageError(`${flag} '${text}' is not a duration; write it like 500ms, 30s or 5m`);
  }
}

export function registerSim(program: Command): void {
  const sim = program.command('sim').description('the built-in exchange simulator (okx, binance, binanceusdm, bybit, deribit)');
  sim
    .command('start')
    .description('run the simulator in the foreground on the configured port')
    .action(async (_o: unknown, cmd: Command) => {
      const config = configFrom(cmd.optsWithGlobals<GlobalOptions>());
      const child = spawn(process.execPath, simulatorArgs(simulatorFlags(config)), { stdio: 'inherit' });
      for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => child.kill(sig));
      process.exitCode = await new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? 1)));
    });
  sim
    .command('fault <exchange> <mode>')
    .description('inject a fault: error_rate, rate_limit, ban, server_error, hang, reset, malformed, truncated, outage; data faults: backdated_trades, nanosecond_timestamps, no_last_price')
    .option('--rate <fraction>', "share of requests affected, 0..1 (data faults: of items); default: the mode's (docs/simulator.md)")
    .option('--for <duration>', 'how long the fault lasts (default: until cleared)')
    .option('--retry-after <seconds>', 'Retry-After header for rate_limit/ban')
    .option('--json', 'print JSON')
    .action(async (exchange: string, mode: string, _o: unknown, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions & { rate?: string; for?: string; retryAfter?: string }>();
      const rate = opts.rate === undefined ? undefined : Number(opts.rate);
      if (rate !== undefined && !(rate >= 0 && rate <= 1)) throw new UsageError(`--rate '${opts.rate}' must be a number from 0 to 1`);
      const retryAfterSec = opts.retryAfter === undefined ? undefined : Number(opts.retryAfter);
      if (retryAfterSec !== undefined && !(retryAfterSec >= 0)) throw new UsageError(`--retry-after '${opts.retryAfter}' must be a number of seconds`);
      const body = { exchange, mode, rate, forMs: opts.for ? durationMs(opts.for, '--for') : undefined, retryAfterSec };
      const result = await admin(simulatorUrl(configFrom(opts)), 'POST', '/_admin/faults', body);
      output(opts, result, () => `fault ${mode} on ${exchange}${opts.for ? ` for ${opts.for}` : ' until cleared'}`);
    });
  sim
    .command('clear [exchange]')
    .description('clear injected faults (of one exchange, or all)')
    .action(async (exchange: string | undefined, _o: unknown, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions>();
      const route = exchange ? `/_admin/faults?exchange=${encodeURIComponent(exchange)}` : '/_admin/faults';
      await admin(simulatorUrl(configFrom(opts)), 'DELETE', route);
      output(opts, { cleared: exchange ?? 'all' }, () => `cleared faults of ${exchange ?? 'every exchange'}`);
    });
  sim
    .command('truth')
    .description('what the simulator emitted (ground truth), as JSON')
    .requiredOption('--exchange <id>', 'exchange id')
    .requiredOption('--type <type>', 'data type, e.g. trades')
    .requiredOption('--symbol <symbol>', 'unified or native symbol')
    .option('--from <ms>', 'epoch ms, inclusive')
    .option('--to <ms>', 'epoch ms, exclusive')
    .action(async (_o: unknown, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions & { exchange: string; type: string; symbol: string; from?: string; to?: string }>();
      const params = new URLSearchParams({ exchange: opts.exchange, type: opts.type, symbol: opts.symbol });
      if (opts.from) params.set('from', opts.from);
      if (opts.to) params.set('to', opts.to);
      const truth = await admin(simulatorUrl(configFrom(opts)), 'GET', `/_admin/truth?${params}`);
      process.stdout.write(`${JSON.stringify(truth)}\n`);
    });
}
