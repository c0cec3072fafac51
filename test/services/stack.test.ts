import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../../src/config/load';
import type { ServiceStatus } from '../../src/services/temporal';
import { codecServerUrl, temporalUiOrigins, temporalUiUrl } from '../../src/services/temporal-ui';
import { runCli, runCliJson } from '../support/cli';

/** The stack the test run started is the one these commands see (MARKETPRISM_CONFIG points at it). */
describe('marketprism services', () => {
  it('status reports every service, its address and health', async () => {
    const list = await runCliJson<ServiceStatus[]>(['services', 'status']);
    assert.deepEqual(list.map((s) => s.name), ['temporal', 'codec-server', 'clickhouse primary', 'clickhouse replica-1', 'clickhouse replica-2', 'simulator']);
    for (const s of list) {
      assert.equal(s.healthy, true, `${s.name} healthy`);
      assert.match(s.address, /127\.0\.0\.1:\d+/);
      assert.ok(s.pid && s.pid > 0, `${s.name} has a pid`);
    }
  });

  it('up with everything up is a no-op', async () => {
    const before = await runCliJson<ServiceStatus[]>(['services', 'status']);
    const after = await runCliJson<ServiceStatus[]>(['services', 'up']);
    assert.deepEqual(after.map((s) => [s.name, s.pid]).sort(), before.map((s) => [s.name, s.pid]).sort(), 'same processes');
  });

  it('up repairs a half-dead stack', async () => {
    const before = await runCliJson<ServiceStatus[]>(['services', 'status']);
    const victims = before.filter((s) => s.name === 'simulator' || s.name === 'clickhouse replica-2' || s.name === 'codec-server');
    for (const v of victims) process.kill(v.pid as number, 'SIGKILL');

    const broken = await runCli(['services', 'status', '--json']);
    assert.equal(broken.code, 3, 'status exits 3 while something is down');
    const brokenList = JSON.parse(broken.stdout) as ServiceStatus[];
    for (const v of victims) assert.equal(brokenList.find((s) => s.name === v.name)?.healthy, false, `${v.name} reported down`);

    const repaired = await runCliJson<ServiceStatus[]>(['services', 'up']);
    for (const v of victims) {
      const now = repaired.find((s) => s.name === v.name);
      assert.equal(now?.healthy, true, `${v.name} healthy again`);
      assert.notEqual(now?.pid, v.pid, `${v.name} is a new process`);
    }
    const untouched = before.find((s) => s.name === 'temporal');
    assert.equal(repaired.find((s) => s.name === 'temporal')?.pid, untouched?.pid, 'healthy services were left alone');
  });

  it('the local UI decodes payloads through the codec server, which lets the UI origin call it', async () => {
    const config = loadConfig();
    const settings = (await (await fetch(`${temporalUiUrl(config)}/api/v1/settings`)).json()) as { Codec?: { Endpoint?: string } };
    assert.equal(settings.Codec?.Endpoint, codecServerUrl(config), `UI settings: ${JSON.stringify(settings.Codec)}`);
    for (const origin of temporalUiOrigins(config)) {
      const res = await fetch(`${codecServerUrl(config)}/decode`, {
        method: 'POST',
        headers: { origin, 'content-type': 'application/json', 'x-namespace': config.temporal.namespace },
        body: JSON.stringify({ payloads: [] }),
      });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('access-control-allow-origin'), origin);
      assert.deepEqual(await res.json(), { payloads: [] });
    }
  });
});
