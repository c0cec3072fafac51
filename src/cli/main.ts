import { Command, CommanderError } from 'commander';
import { UsageError } from './context';

type Register = (program: Command) => void;

/**
 * Each top-level command's module, loaded on demand: ccxt and the Temporal worker take seconds to load, and
 * `marketprism alerts` should not pay for them. The top-level help and unknown commands load none of them:
 * they list the commands with these summaries (each command's own --help has its detail).
 */
/* eslint-disable @typescript-eslint/no-require-imports -- synchronous on-demand loading is the point here */
const COMMANDS: Record<string, { summary: string; load: () => Register }> = {
  up: { summary: 'services + configured collectors + a worker, in one go', load: () => require('./up').registerUp },
  services: { summary: 'the local stack: up | down | status', load: () => require('./services').registerServices },
  worker: { summary: 'run a worker polling task queues (run as many as you like)', load: () => require('./worker').registerWorker },
  collect: { summary: 'start | stop | list | status collectors', load: () => require('./collect').registerCollect },
  sim: { summary: 'the built-in exchange simulator: start | fault | clear | truth', load: () => require('./sim').registerSim },
  status: { summary: 'services, task queues, collectors and open alerts at a glance', load: () => require('./status').registerStatus },
  alerts: { summary: 'open alerts from every reachable store', load: () => require('./alerts').registerAlerts },
  backup: { summary: 'encrypted incremental backups: run | list | verify | schedule', load: () => require('./backup').registerBackup },
  restore: { summary: 'restore a backup (and its chain) into a store, then verify it', load: () => require('./backup').registerRestore },
  backfill: { summary: 'store the trades of a past range, in parallel chunks (resumable)', load: () => require('./backfill').registerBackfill },
  replicas: { summary: 'compare the stores and repair what one missed: check | repair | status', load: () => require('./replicas').registerReplicas },
  data: { summary: 'look at the stored data: summary | query "SQL"', load: () => require('./data').registerData },
  migrate: { summary: 'apply the schema migrations to every store', load: () => require('./migrate').registerMigrate },
  'codec-server': { summary: 'decode payloads for the Temporal UI (run by services up)', load: () => require('./codec-server').registerCodecServer },
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
if (word !== undefined && word in COMMANDS) COMMANDS[word].load()(program);
else for (const [name, { summary }] of Object.entries(COMMANDS)) program.command(name).description(summary);

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
  // exit now: a Temporal runtime or half-started worker would otherwise keep the process (and its signal
  // handlers) alive after the failure
  process.exit(usage ? 2 : 1);
});
