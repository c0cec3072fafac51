import { Command, CommanderError } from 'commander';
import { registerAlerts } from './alerts';
import { registerCollect } from './collect';
import { UsageError } from './context';
import { registerReplicas } from './replicas';
import { registerServices } from './services';
import { registerSim } from './sim';
import { registerStatus } from './status';
import { registerUp } from './up';
import { registerWorker } from './worker';

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

registerUp(program);
registerServices(program);
registerWorker(program);
registerCollect(program);
registerSim(program);
registerStatus(program);
registerAlerts(program);
registerReplicas(program);
for (const cmd of program.commands) cmd.exitOverride();

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
