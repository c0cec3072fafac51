import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { stringify } from 'yaml';
import { ConfigError, DEFAULT_CONFIG_PATH, parseConfig } from '../../src/config/load';

const minimal = {
  temporal: { address: '127.0.0.1:7233' },
  stores: [
    { id: 'a', url: 'http://127.0.0.1:8123', database: 'marketprism' },
    { id: 'b', url: 'http://127.0.0.1:8124', database: 'marketprism' },
  ],
  simulator: {},
  exchanges: { okx: {} },
};

function parseDoc(doc: unknown, env: NodeJS.ProcessEnv = {}) {
  return parseConfig(stringify(doc), 'test.yaml', env);
}

function errorOf(doc: unknown, env: NodeJS.ProcessEnv = {}): string {
  try {
    parseDoc(doc, env);
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected ConfigError, got ${String(err)}`);
    assert.ok(!err.message.includes('\n'), 'config errors are one line');
    return err.message;
  }
  assert.fail('expected the config to be rejected');
}

describe('config', () => {
  it('accepts the shipped default config', () => {
    const config = parseConfig(readFileSync(DEFAULT_CONFIG_PATH, 'utf8'), DEFAULT_CONFIG_PATH, {});
    assert.equal(config.stores.length, 3);
    assert.equal(config.writeQuorum, 2);
    assert.ok(config.exchanges.okx, 'okx is configured');
  });

  it('fills defaults', () => {
    const config = parseDoc(minimal);
    assert.equal(config.temporal.namespace, 'default');
    assert.equal(config.writeQuorum, 2);
    assert.equal(config.exchanges.okx.timeout, '10s');
  });

  it('names key, value and what is allowed for a bad URL', () => {
    const msg = errorOf({ ...minimal, stores: [{ ...minimal.stores[0], url: 'ftp:/nope' }, minimal.stores[1]] });
    assert.match(msg, /stores\[0\]\.url = "ftp:\/nope": expected an http\(s\) URL/);
  });

  it('rejects unknown keys', () => {
    assert.match(errorOf({ ...minimal, colectors: [] }), /unknown key\(s\) colectors/);
  });

  it('rejects a bad enum value with the allowed values', () => {
    assert.match(errorOf({ ...minimal, logLevel: 'loud' }), /logLevel = "loud": expected one of trace, debug, info/);
  });

  it('rejects an unknown data type in a collector', () => {
    const msg = errorOf({ ...minimal, collectors: [{ exchange: 'okx', types: ['candles'], symbols: ['BTC/USDT'] }] });
    assert.match(msg, /collectors\[0\]\.types\[0\] = "candles": expected one of trades, orderbook/);
  });

  it('rejects a quorum larger than the number of stores', () => {
    assert.match(errorOf({ ...minimal, writeQuorum: 3 }), /writeQuorum = 3: expected at most the number of stores \(2\)/);
  });

  it('rejects duplicate store ids', () => {
    assert.match(errorOf({ ...minimal, stores: [minimal.stores[0], { ...minimal.stores[1], id: 'a' }] }), /id 'a' appears twice/);
  });

  it('rejects a collector for an exchange that is not configured', () => {
    const msg = errorOf({ ...minimal, collectors: [{ exchange: 'kraken', types: ['trades'], symbols: ['BTC/USD'] }] });
    assert.match(msg, /collectors\[0\]\.exchange = "kraken": not configured under exchanges \(have: okx\)/);
  });

  it('takes one selector as a collector\'s symbols, and refuses a bad or mixed one in one line', () => {
    const config = parseDoc({ ...minimal, collectors: [{ exchange: 'okx', types: ['trades'], symbols: ['all:swap'], symbolsPerCollector: 20, reloadMarkets: '1m' }] });
    assert.deepEqual(config.collectors[0].symbols, ['all:swap']);
    assert.match(errorOf({ ...minimal, collectors: [{ exchange: 'okx', types: ['trades'], symbols: ['all:perp'] }] }), /collectors\[0\]\.symbols.*'perp' in 'all:perp' is neither a market type/);
    assert.match(errorOf({ ...minimal, collectors: [{ exchange: 'okx', types: ['trades'], symbols: ['all', 'BTC/USDT'] }] }), /a selector \(all\) stands alone/);
  });

  it('rejects a malformed duration', () => {
    const msg = errorOf({ ...minimal, collectors: [{ exchange: 'okx', types: ['trades'], symbols: ['BTC/USDT'], interval: 'often' }] });
    assert.match(msg, /collectors\[0\]\.interval = "often": expected a duration like 500ms/);
  });

  it('reports YAML syntax errors in one line', () => {
    assert.throws(() => parseConfig('stores: [unclosed', 'bad.yaml', {}), (err: Error) => err instanceof ConfigError && /bad\.yaml: not valid YAML/.test(err.message) && !err.message.includes('\n'));
  });

  it('applies endpoint overrides from the environment, and validates them', () => {
    const config = parseDoc(minimal, { MARKETPRISM_TEMPORAL_ADDRESS: '10.1.2.3:7000', MARKETPRISM_STORE_B_URL: 'http://127.0.0.1:9999' });
    assert.equal(config.temporal.address, '10.1.2.3:7000');
    assert.equal(config.stores[1].url, 'http://127.0.0.1:9999');
    assert.match(errorOf(minimal, { MARKETPRISM_TEMPORAL_ADDRESS: 'nohost' }), /temporal\.address = "nohost": expected host:port/);
  });

  it('serves metrics and logs summaries by default, and validates the observability keys', () => {
    const config = parseDoc(minimal);
    assert.deepEqual(config.metrics, { enabled: true, host: '127.0.0.1', port: 9464 });
    assert.equal(config.logFormat, 'auto');
    assert.equal(config.logSummaryInterval, '60s');
    assert.equal(parseDoc(minimal, { MARKETPRISM_LOG_FORMAT: 'json' }).logFormat, 'json');
    assert.match(errorOf(minimal, { MARKETPRISM_LOG_FORMAT: 'xml' }), /logFormat = "xml": expected one of auto, json, pretty/);
    assert.match(errorOf({ ...minimal, metrics: { port: 70000 } }), /metrics\.port = 70000: expected/);
    assert.match(errorOf({ ...minimal, metrics: { host: 'http://x' } }), /metrics\.host = "http:\/\/x": expected an address to listen on/);
  });
});
