import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { loadConfig } from '../../src/config/load';
import { KNOWN_EXCHANGES } from '../../src/domain/data-types';
import { simulatorExchangeConfigs } from '../../simulator/config';

const ROOT = path.resolve(__dirname, '../..');
/** the simulator's service name in temporal-compose.yml */
const COMPOSE_SIMULATOR_HOST = 'simulator';

describe('simulator exchange configs', () => {
  it('the shipped YAML points every known exchange at the simulator exactly as simulatorExchangeConfigs does', () => {
    const config = loadConfig(undefined, {});
    const expected = simulatorExchangeConfigs(`http://127.0.0.1:${config.simulator.port}`);
    assert.deepEqual(Object.keys(expected).sort(), [...KNOWN_EXCHANGES].sort());
    for (const id of KNOWN_EXCHANGES) {
      assert.deepEqual({ api: config.exchanges[id]?.api, options: config.exchanges[id]?.options }, expected[id], id);
    }
  });

  it('config/compose.yaml points every known exchange at the compose simulator service, and manages nothing itself', () => {
    const config = loadConfig(path.join(ROOT, 'config/compose.yaml'), {});
    const expected = simulatorExchangeConfigs(`http://${COMPOSE_SIMULATOR_HOST}:${config.simulator.port}`);
    for (const id of KNOWN_EXCHANGES) {
      assert.deepEqual({ api: config.exchanges[id]?.api, options: config.exchanges[id]?.options }, expected[id], id);
    }
    assert.deepEqual(Object.keys(config.exchanges).sort(), [...KNOWN_EXCHANGES].sort());
    assert.deepEqual([config.temporal.address, config.temporal.managed, config.simulator.enabled], ['temporal:7233', false, false]);
    assert.deepEqual(
      config.stores.map((s) => [s.id, s.url, s.managed]),
      [['primary', 'http://clickhouse-primary:8123', false], ['replica-1', 'http://clickhouse-replica-1:8123', false], ['replica-2', 'http://clickhouse-replica-2:8123', false]],
    );
    // the collectors are the default file's: compose runs the same deployment, only the addresses differ
    assert.deepEqual(config.collectors, loadConfig(undefined, {}).collectors);
    // and temporal-compose.yml runs that simulator service on that port, reachable from the other containers
    const compose = parseYaml(readFileSync(path.join(ROOT, 'temporal-compose.yml'), 'utf8')) as { services: Record<string, { command?: string[] }> };
    const command = compose.services[COMPOSE_SIMULATOR_HOST]?.command ?? [];
    assert.equal(command[command.indexOf('--port') + 1], String(config.simulator.port));
    assert.equal(command[command.indexOf('--host') + 1], '0.0.0.0');
  });

  it('follows any base URL, with or without a trailing slash', () => {
    const configs = simulatorExchangeConfigs('http://127.0.0.1:4567/');
    assert.equal(configs.okx.api, 'http://127.0.0.1:4567/okx');
    assert.deepEqual(configs.binanceusdm.api, {
      fapiPublic: 'http://127.0.0.1:4567/binanceusdm/fapi/v1',
      fapiPublicV2: 'http://127.0.0.1:4567/binanceusdm/fapi/v2',
      fapiPublicV3: 'http://127.0.0.1:4567/binanceusdm/fapi/v3',
      fapiData: 'http://127.0.0.1:4567/binanceusdm/futures/data',
    });
  });
});
