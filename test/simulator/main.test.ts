import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { describe, it } from 'node:test';
import { freePort } from '../../src/services/process';

const ROOT = path.resolve(__dirname, '../..');
const TSX = path.join(ROOT, 'node_modules/.bin/tsx');
const MAIN = path.join(ROOT, 'simulator/main.ts');

/** The first line a child prints (its ready line), or a failure after 20 s. */
async function firstLine(stream: NodeJS.ReadableStream): Promise<string> {
  let out = '';
  stream.setEncoding('utf8');
  const deadline = Date.now() + 20_000;
  while (!out.includes('\n')) {
    if (Date.now() > deadline) assert.fail('no ready line within 20s');
    const [chunk] = (await once(stream, 'data')) as [string];
    out += chunk;
  }
  return out.split('\n')[0];
}

describe('simulator process entry', () => {
  it('prints a ready line, serves, and exits 0 on SIGTERM; a second one on the same port exits 1 with one line', async () => {
    const port = await freePort();
    const child = spawn(TSX, [MAIN, '--port', String(port), '--seed', '5', '--trades-per-second', '3'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const ready = JSON.parse(await firstLine(child.stdout));
      assert.deepEqual([ready.ready, ready.url], [true, `http://127.0.0.1:${port}`]);
      assert.deepEqual(await (await fetch(`${ready.url}/_admin/health`)).json(), { ok: true });
      const clash = spawnSync(TSX, [MAIN, '--port', String(port)], { encoding: 'utf8' });
      assert.equal(clash.status, 1);
      assert.match(clash.stderr.trim(), /^simulator: port \d+ is already taken by another program; stop it or pass another --port$/);
    } finally {
      child.kill('SIGTERM');
    }
    const [code] = await once(child, 'exit');
    assert.equal(code, 0);
  });

  it('--host 0.0.0.0 listens on every interface (as in temporal-compose.yml) and reports a loopback URL', async () => {
    const port = await freePort();
    const child = spawn(TSX, [MAIN, '--host', '0.0.0.0', '--port', String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const ready = JSON.parse(await firstLine(child.stdout));
      assert.deepEqual([ready.url, ready.host], [`http://127.0.0.1:${port}`, '0.0.0.0']);
      const instruments = (await (await fetch(`${ready.url}/_admin/instruments`)).json()) as Array<{ exchange: string }>;
      assert.ok(instruments.some((i) => i.exchange === 'deribit'));
    } finally {
      child.kill('SIGTERM');
    }
    const [code] = await once(child, 'exit');
    assert.equal(code, 0);
  });

  it('a bad or non-local --host is one line on stderr and exit code 1', () => {
    const malformed = spawnSync(TSX, [MAIN, '--port', '8790', '--host', 'not a host!'], { encoding: 'utf8' });
    assert.equal(malformed.status, 1);
    assert.match(malformed.stderr.trim(), /^simulator: .*--host must be an IP address such as 127\.0\.0\.1 or 0\.0\.0\.0, or a host name$/);
    // 192.0.2.1 (TEST-NET-1) is never a local address: listen fails at once, no network involved
    const foreign = spawnSync(TSX, [MAIN, '--port', '8790', '--host', '192.0.2.1'], { encoding: 'utf8' });
    assert.equal(foreign.status, 1);
    assert.match(foreign.stderr.trim(), /^simulator: cannot listen on --host 192\.0\.2\.1: no such local address \(EADDRNOTAVAIL\); use 127\.0\.0\.1 or 0\.0\.0\.0$/);
  });

  it('--trade-history sets per-exchange depths; a bad entry is one line on stderr and exit code 1', async () => {
    const port = await freePort();
    const child = spawn(TSX, [MAIN, '--port', String(port), '--trade-history', 'okx=10m,binance=2h,deribit=all'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const ready = JSON.parse(await firstLine(child.stdout));
      const table = await (await fetch(`${ready.url}/_admin/trade-history`)).json();
      assert.deepEqual(table, { okx: 600_000, binance: 7_200_000, binanceusdm: 'all', deribit: 'all', bybit: 'latest' });
    } finally {
      child.kill('SIGTERM');
    }
    await once(child, 'exit');
    const bad = spawnSync(TSX, [MAIN, '--port', String(port), '--trade-history', 'bybit=1m'], { encoding: 'utf8' });
    assert.equal(bad.status, 1);
    assert.match(bad.stderr.trim(), /^simulator: .*bybit serves only its newest trades \(recent-trade has no cursor\), so it has no history depth to set$/);
    assert.equal(bad.stderr.trim().split('\n').length, 1);
  });

  it('a bad argument is one line on stderr and exit code 1', () => {
    const result = spawnSync(TSX, [MAIN, '--port', '70000'], { encoding: 'utf8' });
    assert.equal(result.status, 1);
    assert.match(result.stderr.trim(), /^simulator: .*--port must be a whole number from 1 to 65535$/);
    assert.equal(result.stderr.trim().split('\n').length, 1);
  });
});
