import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { stringify } from 'yaml';
import { loadConfig } from '../../src/config/load';
import { freePort } from '../../src/services/process';
import { assertOneLineError, runCli } from '../support/cli';

describe('CLI bad input', () => {
  it('worker --queues names only queues this config has', async () => {
    await assertOneLineError(['worker', '--queues', 'collect-kraken'], /--queues: 'collect-kraken' is for exchange 'kraken', which is not configured \(configured: okx, .*\); add it under exchanges: or use one of collect-okx, .*storage, backup$/);
    await assertOneLineError(['worker', '--queues', 'storag'], /--queues: 'storag' is not a task queue of MarketPrism; use some of collect-okx, .*storage, backup$/);
    await assertOneLineError(['worker', '--queues', ' , '], /--queues ' , ' names no task queue/);
  });

  it('unknown exchange', async () => {
    await assertOneLineError(['collect', 'start', '--exchange', 'nosuchx', '--type', 'trades', '--symbols', 'BTC/USDT'], /exchange 'nosuchx' is not configured; add it under exchanges:/);
  });

  it('unknown data type', async () => {
    await assertOneLineError(['collect', 'start', '--exchange', 'okx', '--type', 'trades,candles', '--symbols', 'BTC/USDT'], /unknown data type 'candles'; use trades, orderbook/);
  });

  it('a symbol the exchange does not list', async () => {
    await assertOneLineError(['collect', 'start', '--exchange', 'okx', '--type', 'trades', '--symbols', 'DOGE/NOPE:NOPE'], /okx does not list symbol 'DOGE\/NOPE:NOPE'; use a ccxt unified symbol such as /);
  });

  it('a data type the exchange does not offer', async () => {
    await assertOneLineError(['collect', 'start', '--exchange', 'binance', '--type', 'volatility_index', '--symbols', 'BTC/USDT'], /binance does not offer volatility_index through ccxt; it offers trades/);
  });

  it('a malformed interval', async () => {
    await assertOneLineError(['collect', 'start', '--exchange', 'okx', '--type', 'trades', '--symbols', 'BTC/USDT', '--interval', 'soon'], /--interval 'soon' is not a positive duration/);
  });

  it('an interval below the 100ms minimum (issue E: --interval 1ms)', async () => {
    await assertOneLineError(['collect', 'start', '--exchange', 'okx', '--type', 'trades', '--symbols', 'BTC/USDT', '--interval', '1ms'], /--interval '1ms' is shorter than the 100ms minimum/);
  });

  it('an order book depth the exchange refuses (issue E: --depth 25 on binanceusdm, ccxt #9076), naming the depths it takes', async () => {
    await assertOneLineError(
      ['collect', 'start', '--exchange', 'binanceusdm', '--type', 'orderbook', '--symbols', 'BTC/USDT:USDT', '--depth', '25'],
      /^marketprism: cannot collect on binanceusdm: --depth 25 would be refused on every poll: binanceusdm accepts order book depths 5, 10, 20, 50, 100, 500, 1000 for BTC\/USDT:USDT; pass one of them with --depth$/,
    );
    await assertOneLineError(['collect', 'start', '--exchange', 'deribit', '--type', 'orderbook', '--symbols', 'BTC/USD:BTC', '--depth', '25'], /deribit accepts order book depths 1, 5, 10, 20, 50, 100, 1000, 10000/);
    await assertOneLineError(['collect', 'start', '--exchange', 'okx', '--type', 'all', '--symbols', 'BTC/USDT', '--depth', '401'], /okx accepts order book depths 1 to 400 for BTC\/USDT/);
  });

  it('a ratio period the exchange refuses (issue E: --period 7m), naming the periods it takes', async () => {
    await assertOneLineError(
      ['collect', 'start', '--exchange', 'binanceusdm', '--type', 'lsr_all_account', '--symbols', 'BTC/USDT:USDT', '--period', '7m'],
      /^marketprism: cannot collect on binanceusdm: --period 7m would be refused on every poll: binanceusdm accepts long\/short ratio periods 5m, 15m, 30m, 1h, 2h, 4h, 6h, 12h, 1d; pass one of them with --period$/,
    );
    await assertOneLineError(['collect', 'start', '--exchange', 'bybit', '--type', 'lsr_all_account', '--symbols', 'BTC/USDT:USDT', '--period', '2h'], /bybit accepts long\/short ratio periods 5m, 15m, 30m, 1h, 4h, 1d/);
  });

  it('collect start --help lists the data types, the options each takes, and what each exchange accepts', async () => {
    const help = await runCli(['collect', 'start', '--help']);
    assert.equal(help.code, 0);
    const types = help.stdout.split('Data types, with the options each takes:\n')[1]?.split('\n\n')[0].split('\n').map((l) => l.trim());
    assert.deepEqual(types, ['trades', 'orderbook (--depth)', 'funding_rate', 'open_interest', 'liquidations', 'lsr_top_position (--period)', 'lsr_all_account (--period)', 'volatility_index', 'ticker']);
    assert.match(help.stdout, /binanceusdm: depth 5, 10, 20, 50, 100, 500, 1000; period 5m,15m,30m,1h,2h,4h,6h,12h,1d/);
    assert.match(help.stdout, /deribit: depth 1, 5, 10, 20, 50, 100, 1000, 10000/);
    assert.match(help.stdout, /bybit: depth 1 to 200 \(spot\) \/ 1 to 500 \(derivatives\)/);
    assert.match(help.stdout, /--interval <duration>\s+polling interval, at least 100ms/);
  });

  it('an unknown command', async () => {
    await assertOneLineError(['colect'], /unknown command 'colect'/);
  });

  it('a missing option', async () => {
    await assertOneLineError(['collect', 'start', '--exchange', 'okx'], /required option '--type <types>' not specified/);
  });

  it('a config file that does not exist', async () => {
    await assertOneLineError(['--config', '/nonexistent/marketprism.yaml', 'status'], /config file \/nonexistent\/marketprism\.yaml does not exist; pass --config or set MARKETPRISM_CONFIG/);
  });

  it('an invalid config', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'mp-badcfg-'));
    const file = path.join(dir, 'bad.yaml');
    writeFileSync(file, stringify({ temporal: { address: '127.0.0.1:7233' }, stores: [], simulator: {} }));
    await assertOneLineError(['--config', file, 'status'], /stores = \[\]: expected .*at least 1|stores.*too small/i);
  });

  it('a metrics port that is not a number', async () => {
    await assertOneLineError(['worker', '--metrics-port', 'lots'], /--metrics-port 'lots' is not a port number \(0-65535\)/);
  });

  it('a metrics port another program holds: the worker does not start', async () => {
    const port = await freePort();
    const blocker = net.createServer().listen(port, '127.0.0.1');
    try {
      await assertOneLineError(['worker', '--queues', 'storage', '--activities-only', '--metrics-port', String(port)], new RegExp(`metrics port 127\\.0\\.0\\.1:${port} is in use; pick another with --metrics-port or metrics\\.port`), 1);
    } finally {
      blocker.close();
    }
  });

  it('a codec server port that is not a port', async () => {
    await assertOneLineError(['codec-server', '--port', '80a'], /--port '80a' is not a port; give a number from 1 to 65535/);
  });

  it('a codec server origin with a path', async () => {
    await assertOneLineError(['codec-server', '--port', '8234', '--origin', 'http://127.0.0.1:8233/namespaces'], /--origin 'http:\/\/127\.0\.0\.1:8233\/namespaces' is not an origin; write it like http:\/\/127\.0\.0\.1:8233/);
  });

  it('a codec server port another program holds', async () => {
    const blocker = net.createServer().listen(0, '127.0.0.1');
    await new Promise((resolve) => blocker.once('listening', resolve));
    const { port } = blocker.address() as net.AddressInfo;
    try {
      await assertOneLineError(['codec-server', '--port', String(port), '--origin', 'http://127.0.0.1:8233'], new RegExp(`port ${port} on 127\\.0\\.0\\.1 is already taken; stop what uses it or pass another --port`));
    } finally {
      blocker.close();
    }
  });

  describe('services up', () => {
    let blocker: net.Server;
    let blockedPort: number;
    let file: string;

    before(async () => {
      blockedPort = await freePort();
      blocker = net.createServer().listen(blockedPort, '127.0.0.1');
      const base = loadConfig();
      const dir = mkdtempSync(path.join(os.tmpdir(), 'mp-ports-'));
      file = path.join(dir, 'cfg.yaml');
      // Only the simulator is managed here, on a port another program holds.
      const doc = {
        dataDir: path.join(dir, 'data'),
        temporal: { ...base.temporal, managed: false },
        stores: base.stores.map((s) => ({ ...s, managed: false })),
        simulator: { ...base.simulator, port: blockedPort },
        exchanges: {},
      };
      writeFileSync(file, stringify(doc));
    });

    after(() => {
      blocker.close();
    });

    it('names a port that is already taken', async () => {
      await assertOneLineError(['--config', file, 'services', 'up'], new RegExp(`port ${blockedPort} for the exchange simulator is already taken by another program; stop it or choose another port`), 1);
    });

    it('names a missing temporal binary and how to install it', async () => {
      const base = loadConfig();
      const dir = mkdtempSync(path.join(os.tmpdir(), 'mp-nobin-'));
      const cfg = path.join(dir, 'cfg.yaml');
      const doc = {
        dataDir: path.join(dir, 'data'),
        temporal: { address: `127.0.0.1:${await freePort()}`, uiPort: await freePort(), codecPort: await freePort() },
        stores: base.stores.map((s) => ({ ...s, managed: false })),
        simulator: { ...base.simulator, enabled: false },
      };
      writeFileSync(cfg, stringify(doc));
      try {
        await assertOneLineError(['--config', cfg, 'services', 'up'], /MARKETPRISM_TEMPORAL_BIN=\/nonexistent\/temporal does not exist/, 1, { MARKETPRISM_TEMPORAL_BIN: '/nonexistent/temporal' });
      } finally {
        await runCli(['--config', cfg, 'services', 'down']); // the codec server, started beside Temporal, came up
      }
    });
  });
});
