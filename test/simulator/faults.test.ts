import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import ccxt, { type Exchange } from 'ccxt';
import { startFixture, type SimFixture } from './fixture';

/** The ccxt class an okx call raises while `fault` is active. */
async function errorClassUnder(fx: SimFixture, ex: Exchange, fault: Record<string, unknown>): Promise<unknown> {
  const res = await fx.admin('POST', '/_admin/faults', { exchange: 'okx', ...fault });
  assert.equal(res.status, 200);
  try {
    await ex.fetchTrades('BTC/USDT:USDT', undefined, 5);
  } catch (err) {
    return err;
  }
  assert.fail(`no error under ${JSON.stringify(fault)}`);
}

describe('fault injection', () => {
  let fx: SimFixture;
  let okx: Exchange;
  before(async () => {
    fx = await startFixture();
    okx = fx.exchange('okx', '400ms');
    await okx.loadMarkets();
  });
  after(() => fx.close());
  beforeEach(() => fx.admin('POST', '/_admin/reset'));

  it('rate_limit answers 429 with Retry-After and okx code 50011 → RateLimitExceeded', async () => {
    const err = await errorClassUnder(fx, okx, { mode: 'rate_limit', retryAfterSec: 7 });
    assert.ok(err instanceof ccxt.RateLimitExceeded);
    const raw = await fetch(`${fx.sim.url}/okx/api/v5/public/time`);
    assert.equal(raw.status, 429);
    assert.equal(raw.headers.get('retry-after'), '7');
  });

  it('ban answers 418 → DDoSProtection', async () => {
    const err = await errorClassUnder(fx, okx, { mode: 'ban' });
    assert.ok(err instanceof ccxt.DDoSProtection);
    assert.ok(!(err instanceof ccxt.RateLimitExceeded));
  });

  it('server_error and error_rate (at rate 1) → ExchangeNotAvailable', async () => {
    assert.ok((await errorClassUnder(fx, okx, { mode: 'server_error' })) instanceof ccxt.ExchangeNotAvailable);
    assert.ok((await errorClassUnder(fx, okx, { mode: 'error_rate', rate: 1 })) instanceof ccxt.ExchangeNotAvailable);
  });

  it('error_rate fails only a share of requests', async () => {
    await fx.admin('POST', '/_admin/faults', { exchange: 'okx', mode: 'error_rate', rate: 0.5 });
    const statuses = await Promise.all(Array.from({ length: 60 }, () => fetch(`${fx.sim.url}/okx/api/v5/public/time`).then((r) => r.status)));
    const failed = statuses.filter((s) => s >= 500).length;
    assert.ok(failed > 5 && failed < 55, `${failed} of 60 failed`);
    assert.ok(statuses.every((s) => s === 200 || s === 500 || s === 503));
  });

  it('hang never answers → RequestTimeout at the ccxt timeout', async () => {
    const started = Date.now();
    const err = await errorClassUnder(fx, okx, { mode: 'hang' });
    assert.ok(err instanceof ccxt.RequestTimeout, String(err));
    assert.ok(Date.now() - started >= 350);
  });

  it('reset and outage drop the connection → NetworkError (not a timeout, not an HTTP error)', async () => {
    for (const mode of ['reset', 'outage']) {
      const err = await errorClassUnder(fx, okx, { mode });
      assert.equal((err as Error).constructor, ccxt.NetworkError, `${mode}: ${String(err)}`);
    }
  });

  it('outage in maintenance style answers 503 with okx code 50001 → OnMaintenance (an ExchangeNotAvailable)', async () => {
    const err = await errorClassUnder(fx, okx, { mode: 'outage', style: 'maintenance' });
    assert.ok(err instanceof ccxt.OnMaintenance);
    assert.ok(err instanceof ccxt.ExchangeNotAvailable);
  });

  it('malformed and truncated bodies are not errors to ccxt: unified methods come back empty, raw calls return the text', async () => {
    for (const mode of ['malformed', 'truncated']) {
      await fx.admin('POST', '/_admin/faults', { exchange: 'okx', mode });
      // the hazard a collector must guard against: ccxt swallows an unparsable 200 body
      assert.deepEqual(await okx.fetchTrades('BTC/USDT:USDT', undefined, 5), [], mode);
      const raw = await okx.publicGetMarketTrades({ instId: 'BTC-USDT-SWAP', limit: 5 });
      assert.equal(typeof raw, 'string', mode);
      assert.throws(() => JSON.parse(raw as unknown as string), SyntaxError);
    }
  });

  it('a fault ends by itself after forMs', async () => {
    await fx.admin('POST', '/_admin/faults', { exchange: 'okx', mode: 'rate_limit', forMs: 300 });
    await assert.rejects(okx.fetchTicker('BTC/USDT'), ccxt.RateLimitExceeded);
    const deadline = Date.now() + 3_000;
    let ticker;
    while (!ticker && Date.now() < deadline) ticker = await okx.fetchTicker('BTC/USDT').catch(() => undefined);
    assert.ok(ticker && ticker.last! > 0, 'fault did not clear within 3s');
    assert.deepEqual((await fx.admin('GET', '/_admin/faults')).body, []);
  });

  it('faults are listed, scoped to one exchange, and cleared by DELETE', async () => {
    await fx.admin('POST', '/_admin/faults', { exchange: 'okx', mode: 'reset' });
    await fx.admin('POST', '/_admin/faults', { exchange: 'deribit', mode: 'ban', forMs: 60_000 });
    const listed = (await fx.admin('GET', '/_admin/faults')).body as Array<{ exchange: string; mode: string; remainingMs: number | null }>;
    assert.deepEqual(listed.map((f) => [f.exchange, f.mode]), [['okx', 'reset'], ['deribit', 'ban']]);
    assert.ok(listed[1].remainingMs! > 59_000);
    assert.deepEqual((await fx.admin('GET', '/_admin/health')).body, { ok: true });
    const binance = await fetch(`${fx.sim.url}/binance/api/v3/ping`);
    assert.equal(binance.status, 200);
    await fx.admin('DELETE', '/_admin/faults?exchange=okx');
    assert.ok((await okx.fetchTicker('ETH/USDT')).last! > 0);
    assert.deepEqual(((await fx.admin('GET', '/_admin/faults')).body as Array<{ exchange: string }>).map((f) => f.exchange), ['deribit']);
  });

  it('bad fault requests get a 400 with one line saying what to fix', async () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ exchange: 'kraken', mode: 'ban' }, /exchange 'kraken' is not simulated/],
      [{ exchange: 'okx', mode: 'explode' }, /mode 'explode' is unknown; use one of error_rate/],
      [{ exchange: 'okx', mode: 'error_rate', rate: 2 }, /rate 2 must be a number between 0 and 1/],
      [{ exchange: 'okx', mode: 'ban', forMs: -1 }, /forMs -1 must be a positive/],
    ];
    for (const [body, message] of cases) {
      const res = await fx.admin('POST', '/_admin/faults', body);
      assert.equal(res.status, 400);
      assert.match((res.body as { error: string }).error, message);
      assert.doesNotMatch((res.body as { error: string }).error, /\n/);
    }
  });
});
