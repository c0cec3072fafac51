import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parseSymbolSelector } from '../../src/domain/symbol-selector';
import { selectedSymbols } from '../../src/exchange/market-symbols';
import { LISTING_EXCHANGES } from '../../simulator/instruments';
import { startFixture, type SimFixture } from './fixture';

/**
 * Listings at scale (issue 11, part 3): --instruments N generated markets per exchange with uneven trade rates,
 * and listings and delistings at runtime. A delisted market stays listed but inactive, as the real venues show
 * one while it settles (binance BREAK / SETTLING, bybit Closed, okx suspend): ccxt reads `active: false`, and
 * a selector must pass it over, whatever the venue's spelling.
 */
describe('simulator listings', () => {
  let f: SimFixture;
  before(async () => {
    f = await startFixture({ instruments: 40 });
  });
  after(() => f.close());

  it('lists N generated markets per exchange, trading at uneven rates', async () => {
    const { body } = await f.admin('GET', '/_admin/instruments');
    const listed = body as Array<{ exchange: string; id: string; tradeRate: number; delisted: boolean }>;
    for (const exchange of LISTING_EXCHANGES) assert.equal(listed.filter((i) => i.exchange === exchange && i.id.startsWith('X0')).length, 40, exchange);
    const rates = listed.filter((i) => i.exchange === 'binanceusdm' && i.id.startsWith('X0')).map((i) => i.tradeRate);
    assert.ok(rates[0] > 10 * rates[39], `the busiest trades far more often than the quietest: ${rates[0]} vs ${rates[39]}`);
  });

  for (const exchange of ['binance', 'binanceusdm', 'bybit', 'okx']) {
    it(`${exchange}: a listing appears on reload, a delisted market is inactive and no selector takes it`, async () => {
      const ex = f.exchange(exchange);
      await ex.loadMarkets();
      const everything = parseSymbolSelector('all');
      const before = selectedSymbols(ex, 'trades', everything);
      const listed = (await f.admin('POST', '/_admin/listings', { exchange, list: 'NEWCOIN' })).body as { id: string; symbol: string };
      const victim = Object.values(ex.markets ?? {}).find((m) => m?.id?.startsWith('X0003'))!;
      assert.equal((await f.admin('POST', '/_admin/listings', { exchange, delist: victim.id })).status, 200);
      await ex.loadMarkets(true);
      assert.equal(ex.markets?.[listed.symbol]?.active, true, `${listed.symbol} listed`);
      assert.equal(ex.markets?.[victim.symbol]?.active, false, `${victim.symbol} still listed, inactive`);
      const after = selectedSymbols(ex, 'trades', everything);
      assert.deepEqual(after, [...before.filter((s) => s !== victim.symbol), listed.symbol].sort());
    });
  }

  it('refuses bad listing changes with one line', async () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ exchange: 'deribit', list: 'NEW' }, /exchange 'deribit' cannot change listings; use one of okx, binance/],
      [{ exchange: 'okx' }, /send exactly one of/],
      [{ exchange: 'okx', list: 'new coin' }, /is not a base currency code/],
      [{ exchange: 'okx', delist: 'NOPE-USDT-SWAP' }, /okx lists no 'NOPE-USDT-SWAP'/],
    ];
    for (const [body, pattern] of cases) {
      const res = await f.admin('POST', '/_admin/listings', body);
      assert.equal(res.status, 400);
      const error = (res.body as { error: string }).error;
      assert.match(error, pattern);
      assert.ok(!error.includes('\n'));
    }
  });
});
