import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../../src/config/load';
import { KNOWN_EXCHANGES } from '../../src/domain/data-types';
import { simulatorExchangeConfigs } from '../../simulator/config';

describe('simulator exchange configs', () => {
  it('the shipped YAML points every known exchange at the simulator exactly as simulatorExchangeConfigs does', () => {
    const config = loadConfig(undefined, {});
    const expected = simulatorExchangeConfigs(`http://127.0.0.1:${config.simulator.port}`);
    assert.deepEqual(Object.keys(expected).sort(), [...KNOWN_EXCHANGES].sort());
    for (const id of KNOWN_EXCHANGES) {
      assert.deepEqual({ api: config.exchanges[id]?.api, options: config.exchanges[id]?.options }, expected[id], id);
    }
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
