import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ClickHouseLogLevel, createClient } from '@clickhouse/client';
import { ApplicationFailure } from '@temporalio/common';
import ccxt from 'ccxt';
import { createExchange } from '../../src/exchange/client';
import { QUARANTINED_BODIES, quarantinedBodiesOf } from '../../src/domain/quarantined-failure';
import { attachFailurePayload } from '../../src/reliability/failure-payload';
import { classify, toApplicationFailure } from '../../src/reliability/classify';
import { withOverrides } from '../../src/reliability/policies';
import { callExchange, parseRetryAfter } from '../../src/reliability/response-headers';
import { freePort } from '../../src/services/process';
import { storeError } from '../../src/storage/errors';

type Reply = (req: http.IncomingMessage, res: http.ServerResponse) => void;

/** A local HTTP server whose next answers the test chooses: the real ccxt and ClickHouse clients talk to it. */
let reply: Reply = (_req, res) => res.end('{}');
const server = http.createServer((req, res) => reply(req, res));
let base = '';

before(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
});
after(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

function okx(timeout = '2s') {
  return createExchange('okx', { api: base, options: {}, timeout });
}

async function thrownBy(call: () => Promise<unknown>): Promise<unknown> {
  try {
    await call();
  } catch (err) {
    return err;
  }
  throw new Error('expected the call to fail');
}

/** A real ECONNREFUSED: connect to a port nothing listens on. */
async function refusedConnection(): Promise<Error> {
  const port = await freePort();
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => reject(new Error(`something listens on ${port}`)));
    socket.once('error', resolve);
  });
}

describe('classify: ccxt errors raised by a real ccxt exchange', () => {
  it('429 with Retry-After -> rate_limit, retryable, Retry-After carried by callExchange', async () => {
    reply = (_req, res) => {
      res.writeHead(429, { 'Retry-After': '7', 'Content-Type': 'application/json' });
      res.end('{"code":"50011","msg":"Too Many Requests"}');
    };
    const exchange = okx();
    const err = await thrownBy(() => callExchange(exchange, () => exchange.fetchTime()));
    assert.ok(err instanceof ccxt.RateLimitExceeded);
    const c = classify(err);
    assert.deepEqual([c.class, c.retryable, c.retryAfterMs, c.source, c.dependencyFailure], ['rate_limit', true, 7_000, 'ccxt.RateLimitExceeded', true]);
    const failure = toApplicationFailure(err, 1);
    assert.equal(failure.type, 'rate_limit');
    assert.equal(failure.nonRetryable, false);
    assert.equal(failure.nextRetryDelay, 7_000, 'Retry-After wins over the class backoff');
  });

  it('418 -> rate_limit (DDoSProtection); 503 -> server', async () => {
    reply = (_req, res) => {
      res.writeHead(418);
      res.end('teapot');
    };
    const exchange = okx();
    const ddos = await thrownBy(() => exchange.fetchTime());
    assert.ok(ddos instanceof ccxt.DDoSProtection);
    assert.equal(classify(ddos).class, 'rate_limit');
    reply = (_req, res) => {
      res.writeHead(503);
      res.end('maintenance');
    };
    const down = await thrownBy(() => exchange.fetchTime());
    assert.ok(down instanceof ccxt.ExchangeNotAvailable);
    assert.equal(classify(down).class, 'server');
  });

  it('a hanging exchange -> RequestTimeout -> timeout', async () => {
    reply = () => undefined; // never answers
    const exchange = okx('300ms');
    const err = await thrownBy(() => exchange.fetchTime());
    assert.ok(err instanceof ccxt.RequestTimeout);
    assert.equal(classify(err).class, 'timeout');
  });

  it('a reset connection and a closed port -> NetworkError -> connection', async () => {
    reply = (req) => req.socket.destroy();
    const exchange = okx();
    const reset = await thrownBy(() => exchange.fetchTime());
    assert.ok(reset instanceof ccxt.NetworkError);
    assert.equal(classify(reset).class, 'connection');
    const closed = createExchange('okx', { api: `http://127.0.0.1:${await freePort()}`, options: {}, timeout: '2s' });
    const refused = await thrownBy(() => closed.fetchTime());
    assert.ok(refused instanceof ccxt.NetworkError);
    assert.match(classify(refused).message, /ECONNREFUSED/);
    assert.equal(classify(refused).class, 'connection');
  });

  it('an unknown symbol -> BadSymbol -> bad_request, non-retryable, the message says what to do', () => {
    const exchange = okx();
    exchange.setMarkets([]);
    let err: unknown;
    try {
      exchange.market('NOPE/USDT');
    } catch (e) {
      err = e;
    }
    assert.ok(err instanceof ccxt.BadSymbol);
    const failure = toApplicationFailure(err, 1);
    assert.equal(failure.type, 'bad_request');
    assert.equal(failure.nonRetryable, true);
    assert.match(failure.message, /NOPE\/USDT/);
    assert.match(failure.message, /check the symbols in the config/);
    assert.equal(classify(err).dependencyFailure, false);
  });

  it('the rest of the ccxt hierarchy, most specific class first', () => {
    const cases: Array<[Error, string]> = [
      [new ccxt.AuthenticationError('x'), 'bad_request'],
      [new ccxt.PermissionDenied('x'), 'bad_request'],
      [new ccxt.BadRequest('x'), 'bad_request'],
      [new ccxt.ArgumentsRequired('x'), 'bad_request'],
      [new ccxt.NotSupported('x'), 'bad_request'],
      [new ccxt.OnMaintenance('x'), 'server'],
      [new ccxt.BadResponse('x'), 'server'],
      [new ccxt.NullResponse('x'), 'server'],
      [new ccxt.ExchangeError('unmapped code'), 'server'],
      [new ccxt.InvalidNonce('x'), 'server'],
      [new ccxt.NetworkError('x'), 'connection'],
    ];
    assert.deepEqual(cases.map(([err]) => `${err.constructor.name}:${classify(err).class}`), cases.map(([err, c]) => `${err.constructor.name}:${c}`));
  });
});

describe('classify: sockets, HTTP and ClickHouse', () => {
  it('a real ECONNREFUSED socket error -> connection, with a jittered class backoff', async () => {
    const err = await refusedConnection();
    assert.equal((err as NodeJS.ErrnoException).code, 'ECONNREFUSED');
    const c = classify(err);
    assert.deepEqual([c.class, c.retryable, c.source], ['connection', true, 'ECONNREFUSED']);
    const failure = toApplicationFailure(err, 2, { random: () => 0.5 });
    assert.equal(failure.type, 'connection');
    assert.equal(failure.nextRetryDelay, Math.round(250 + 0.5 * (4_000 - 250)));
  });

  it('the ClickHouse client against a closed port -> connection', async () => {
    const client = createClient({ url: `http://127.0.0.1:${await freePort()}`, log: { level: ClickHouseLogLevel.OFF } });
    try {
      const ping = await client.ping();
      assert.equal(ping.success, false);
      assert.equal(classify(!ping.success && ping.error).class, 'connection');
    } finally {
      await client.close();
    }
  });

  it('ClickHouse server errors by code, old (18.16) and new message formats', async () => {
    const client = createClient({ url: base, log: { level: ClickHouseLogLevel.OFF } });
    const query = () => thrownBy(() => client.query({ query: 'SELECT 1', format: 'JSONEachRow' }));
    try {
      reply = (_req, res) => {
        res.writeHead(404, { 'X-ClickHouse-Exception-Code': '60' });
        res.end("Code: 60, e.displayText() = DB::Exception: Table marketprism.nope doesn't exist., e.what() = DB::Exception\n");
      };
      const unknownTable = classify(await query());
      assert.deepEqual([unknownTable.class, unknownTable.source], ['bad_request', 'clickhouse 60']);
      assert.match(unknownTable.message, /run the storage migration/);
      reply = (_req, res) => {
        res.writeHead(500, { 'X-ClickHouse-Exception-Code': '252' });
        res.end('Code: 252. DB::Exception: Too many parts (300). Merges are processing significantly slower than inserts. (TOO_MANY_PARTS) (version 24.8.1)\n');
      };
      const tooManyParts = await query();
      assert.equal((tooManyParts as Error).constructor.name, 'ClickHouseError');
      assert.equal(classify(tooManyParts).class, 'rate_limit');
      reply = (_req, res) => {
        res.writeHead(500);
        res.end('Code: 241. DB::Exception: Memory limit (total) exceeded. (MEMORY_LIMIT_EXCEEDED) (version 24.8.1)\n');
      };
      assert.equal(classify(await query()).class, 'server');
      reply = (req) => req.socket.destroy();
      const hangUp = classify(await query());
      assert.equal(hangUp.class, 'connection');
    } finally {
      await client.close();
    }
  });

  it('store errors as src/storage/errors.ts wraps them', async () => {
    const refused = storeError('primary', 'http://127.0.0.1:1', await refusedConnection());
    assert.equal(refused.name, 'StoreUnavailableError');
    assert.deepEqual([classify(refused).class, classify(refused).dependencyFailure], ['connection', true]);
    const hung = storeError('primary', 'http://127.0.0.1:1', new Error('Timeout error.'));
    assert.equal(classify(hung).class, 'timeout');
    const query = storeError('replica-1', 'http://127.0.0.1:1', new Error("Code: 81, e.displayText() = DB::Exception: Database nope doesn't exist"));
    assert.equal(query.name, 'StoreQueryError');
    const c = classify(query);
    assert.deepEqual([c.class, c.retryable, c.source], ['bad_request', false, 'clickhouse 81']);
    assert.match(c.message, /^store replica-1: Code: 81.*run the storage migration/);
  });

  it('HTTP status errors with headers; undici-style causes; unknown errors', () => {
    const http429 = Object.assign(new Error('too many'), { status: 429, headers: { 'retry-after': '2' } });
    assert.deepEqual([classify(http429).class, classify(http429).retryAfterMs], ['rate_limit', 2_000]);
    assert.equal(classify(Object.assign(new Error('bad gateway'), { statusCode: 502 })).class, 'server');
    assert.equal(classify(Object.assign(new Error('gw timeout'), { response: { status: 504 } })).class, 'timeout');
    assert.equal(classify(Object.assign(new Error('forbidden'), { status: 403 })).retryable, false);
    const undici = new TypeError('fetch failed', { cause: Object.assign(new Error('connect timeout'), { code: 'UND_ERR_CONNECT_TIMEOUT' }) });
    assert.equal(classify(undici).class, 'timeout');
    assert.equal(classify(new Error('Timeout error.')).class, 'timeout');
    const bug = classify(new TypeError("Cannot read properties of undefined (reading 'price')"));
    assert.deepEqual([bug.class, bug.retryable, bug.dependencyFailure], ['server', true, false]);
    assert.match(bug.message, /^unexpected error: /);
  });
});

describe('toApplicationFailure', () => {
  it('a spent budget is final, typed <class>_budget_spent', async () => {
    const err = await refusedConnection();
    assert.equal(toApplicationFailure(err, 5).nonRetryable, false);
    const spent = toApplicationFailure(err, 6);
    assert.equal(spent.type, 'connection_budget_spent');
    assert.equal(spent.nonRetryable, true);
    assert.match(spent.message, /gave up on attempt 6: the connection retry budget is 5/);
    const policies = withOverrides({ errorClasses: { connection: { attempts: 1 } } });
    assert.equal(toApplicationFailure(err, 2, { policies }).type, 'connection_budget_spent');
  });

  it('a failure carrying unparseable bodies is final and hands them to the workflow in its details', () => {
    const rows = [{ exchange: 'okx', dataType: 'trades', symbol: 'BTC/USDT', reason: 'not JSON', raw: '{"oops"', receivedAt: 1 }];
    const batch = { batchId: 'quarantine-1', table: 'quarantine' as const, rows };
    const err = attachFailurePayload(new ccxt.BadResponse('okx answered 200 with "{oops", not JSON'), { [QUARANTINED_BODIES]: batch });
    const failure = toApplicationFailure(err, 1);
    assert.equal(failure.type, 'server');
    assert.equal(failure.nonRetryable, true, 'a retry could not hand the body on');
    assert.deepEqual(quarantinedBodiesOf(failure), batch);
    // failures recorded before batches named their table still hand their bodies on
    const legacy = ApplicationFailure.create({ type: 'server', nonRetryable: true, details: [{ [QUARANTINED_BODIES]: { batchId: 'quarantine-1', rows } }] });
    assert.deepEqual(quarantinedBodiesOf(legacy), batch);
    assert.equal(toApplicationFailure(new ccxt.BadResponse('plain'), 1).nonRetryable, false, 'without bodies the class budget applies');
  });

  it('long messages (whole response bodies) are cut to one line', () => {
    const failure = toApplicationFailure(new ccxt.ExchangeNotAvailable(`okx GET / 503\n${'<html>'.repeat(500)}`), 1);
    assert.ok(failure.message.length <= 401 && !failure.message.includes('\n'));
  });

  it('an ApplicationFailure the activity threw itself passes through unchanged', () => {
    const own = ApplicationFailure.create({ type: 'bad_request', message: 'batch is empty', nonRetryable: true });
    assert.equal(toApplicationFailure(own, 3), own);
    assert.deepEqual([classify(own).class, classify(own).dependencyFailure], ['bad_request', false]);
  });

  it('parses Retry-After as seconds or an HTTP date', () => {
    assert.equal(parseRetryAfter('3'), 3_000);
    assert.equal(parseRetryAfter(new Date(1_010_000).toUTCString(), 1_000_000), 10_000);
    assert.equal(parseRetryAfter('soon'), undefined);
  });
});
