import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { stringify } from 'yaml';
import { loadConfig } from '../../src/config/load';
import { freePort } from '../../src/services/process';
import { runCli } from '../support/cli';

/** Bad input ends in exactly one line on stderr saying what was wrong and what to do, and a non-zero exit. */
async function assertOneLineError(args: string[], pattern: RegExp, code = 2, env: NodeJS.ProcessEnv = {}): Promise<void> {
  const result = await runCli(args, env);
  assert.equal(result.code, code, `exit code of marketprism ${args.join(' ')} (stderr: ${result.stderr})`);
  const lines = result.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line on stderr, got:\n${result.stderr}`);
  assert.match(lines[0], /^marketprism: /);
  assert.match(lines[0], pattern);
}

describe('CLI bad input', () => {
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
