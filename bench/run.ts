/**
 * `npm run bench`: the speed and resilience figures, each on its own private stack, printed as measured.
 * `npm run bench -- recovery` runs one of them.
 */
import os from 'node:os';
import { benchBackup } from './backup';
import { benchCollectors } from './collectors';
import { benchDecimals } from './decimals';
import { benchRecovery } from './recovery';
import { benchRekey } from './rekey';
import { benchSymbols } from './symbols';
import { benchThroughput } from './throughput';

const BENCHES: Record<string, { what: string; target: string; run: () => Promise<Record<string, number>> }> = {
  recovery: { what: 'outage end (exchange or store, 2 s to 5 min) → next batch stored by every affected collector / acknowledged by the store', target: 'worst ≤ 5 s', run: benchRecovery },
  backup: { what: 'full backup and restore of 1 M trades (compression, encryption, verification included) vs raw ClickHouse Native export/import of the same rows', target: 'each ≥ 50 % of raw; memory bounded', run: benchBackup },
  collectors: { what: '200 collectors at once, two worker processes, quorum writes to 3 stores', target: '≥ 200 collectors all keeping up', run: benchCollectors },
  rekey: { what: 'migration 5 on a store with 10 million trades (70 days) under the old sorting key', target: 'minutes, not hours', run: benchRekey },
  throughput: {
    what: 'trades from a simulator emitting 10,000/s per symbol (4 symbols): (a) a plain ccxt + @clickhouse/client loop, (b) collectors at W = 2 of 3 with 1, 2, 3 workers, (c) backfill',
    target: '≥ 20,000 trades/s with 2 workers; ≥ 80 % of (a); 3 workers faster than 1; backfill ≥ 20,000 trades/s',
    run: benchThroughput,
  },
  symbols: {
    what: 'every market of binanceusdm at once: 1,000 generated perpetuals + BTC, ETH in one symbol set (50 per collector), two worker processes',
    target: '≥ 1,000 symbols, every row stored, lag bounded',
    run: benchSymbols,
  },
  decimals: { what: '100,000 trades into Float64 (schema 3) and Decimal(38, 18) (schema 4) price and amount columns: insert time, bytes on disk', target: 'a measured cost', run: benchDecimals },
};

async function main(): Promise<void> {
  const names = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(BENCHES);
  process.stdout.write(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}\n`);
  for (const name of names) {
    const bench = BENCHES[name];
    if (!bench) throw new Error(`unknown benchmark '${name}'; choose from ${Object.keys(BENCHES).join(', ')}`);
    process.stdout.write(`\n${name}: ${bench.what} (target ${bench.target})\n`);
    const started = Date.now();
    const figures = await bench.run();
    process.stdout.write(`${name}: ${Object.entries(figures).map(([k, v]) => `${k}=${Number.isInteger(v) ? v : v.toFixed(2)}`).join('  ')}  (${((Date.now() - started) / 1000).toFixed(0)} s)\n`);
  }
}

main().then(
  () => process.exit(0),
  (err: Error) => {
    process.stderr.write(`bench failed: ${err.message}\n`);
    process.exit(1);
  },
);
