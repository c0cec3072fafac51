import { Command, CommanderError } from 'commander';
import { UsageError } from './context';

type Register = (program: Command) => void;

/**
 * Each top-level command's module, loaded on demand: ccxt and the Temporal worker take seconds to load,
 * and `marketprism alerts` should not pay for them. Help and unknown commands load them all.
 */
/* eslint-disable @typescript-eslint/no-require-imports -- synchronous on-demand loading is the point here */
const COMMANDS: Record<string, () => Register> = {
  up: () => require('./up').registerUp,
  services: () => require('./services').registerServices,
  worker: () => require('./worker').registerWorker,
  collect: () => require('./collect').registerCollect,
  sim: () => require('./sim').registerSim,
  status: () => require('./status').registerStatus,
  alerts: () => require('./alerts').registerAlerts,
  replicas: () => require('./replicas').registerReplicas,
  'codec-server': () => require('./codec-server').registerCodecServer,
};
/* eslint-enable @typescript-eslint/no-require-imports */

/** The command word in argv, skipping global options (and the value of --config). */
function commandWord(argv: string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '-c' || argv[i] === '--config') i++;
    else if (!argv[i].startsWith('-')) return argv[i];
  }
  return undefined;
}

/**
 * `marketprism` — every failure ends in one line on stderr saying what was wrong and what to do,
 * and a non-zero exit: 2 for bad usage or input, 1 for everything else.
 */
const program = new Command('marketprism')
  .description('crypto market-data collector: ccxt → Temporal → redundant ClickHouse stores')
  .option('-c, --config <file>', 'config file (default: $MARKETPRISM_CONFIG or config/marketprism.yaml)')
  .configureOutput({
    // commander's own errors (unknown command, missing option) in the same one-line shape as ours
    outputError: (text, write) => write(`marketprism: ${text.trim().replace(/^error: /, '').replace(/\s*\n\s*/g, ' ')}; see --help\n`),
  })
  .exitOverride();

const word = commandWord(process.argv.slice(2));
const wanted = word !== undefined && word in COMMANDS ? [word] : Object.keys(COMMANDS);
for (const name of wanted) COMMANDS[name]()(program);

function firstLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.split('\n')[0];
}

program.parseAsync(process.argv).catch((err: unknown) => {
  if (err instanceof CommanderError) {
    process.exitCode = err.exitCode === 0 ? 0 : 2;
    return; // commander already printed its one-line message
  }
  const usage = err instanceof UsageError || (err instanceof Error && err.name === 'ConfigError');
  process.stderr.write(`marketprism: ${firstLine(err)}\n`);
  process.exitCode = usage ? 2 : 1;
});
