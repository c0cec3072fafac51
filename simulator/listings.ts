import { generatedInstrument, isSimExchange, LISTING_EXCHANGES, type Instrument, type SimExchange } from './instruments';

/**
 * Listing changes at runtime (POST /_admin/listings), so `--symbols all` collectors can be seen following them:
 *   {"exchange":"binanceusdm","list":"NEWCOIN"}    lists NEWCOIN against USDT (NEWCOINUSDT; okx NEWCOIN-USDT-SWAP)
 *   {"exchange":"binanceusdm","delist":"X0003USDT"} delists by native id: still listed, no longer trading,
 *                                                   as real venues show a market while it settles
 * A relisted base trades again. Bad input throws ListingInputError (a 400 with its message).
 */
export class ListingInputError extends Error {
  override name = 'ListingInputError';
}

export interface ListingChange {
  exchange: SimExchange;
  list?: string;
  delist?: string;
}

export function parseListingChange(body: unknown): ListingChange {
  const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  if (typeof b.exchange !== 'string' || !isSimExchange(b.exchange) || !LISTING_EXCHANGES.includes(b.exchange)) {
    throw new ListingInputError(`listings: exchange '${String(b.exchange)}' cannot change listings; use one of ${LISTING_EXCHANGES.join(', ')}`);
  }
  const list = b.list;
  const delist = b.delist;
  if ((list === undefined) === (delist === undefined)) throw new ListingInputError('listings: send exactly one of {"list":"<base currency>"} or {"delist":"<native id>"}');
  if (list !== undefined && (typeof list !== 'string' || !/^[A-Z0-9]{2,12}$/.test(list))) {
    throw new ListingInputError(`listings: list '${String(list)}' is not a base currency code; use 2 to 12 capital letters or digits, like NEWCOIN`);
  }
  if (delist !== undefined && typeof delist !== 'string') throw new ListingInputError('listings: delist must be a native id such as X0003USDT');
  return { exchange: b.exchange, ...(list !== undefined && { list: list as string }), ...(delist !== undefined && { delist: delist as string }) };
}

/** Applies a change to the served lists (in place); returns the instrument listed or delisted. */
export function applyListingChange(served: Record<SimExchange, Instrument[]>, change: ListingChange): Instrument {
  const list = served[change.exchange];
  if (change.delist !== undefined) {
    const i = list.findIndex((x) => x.id === change.delist);
    if (i < 0) throw new ListingInputError(`listings: ${change.exchange} lists no '${change.delist}'; GET /_admin/instruments shows the native ids`);
    list[i] = { ...list[i], delisted: true };
    return list[i];
  }
  const inst = generatedInstrument(change.exchange, change.list as string);
  const i = list.findIndex((x) => x.id === inst.id);
  if (i >= 0) list[i] = { ...list[i], delisted: false };
  else list.push(inst);
  return list[i >= 0 ? i : list.length - 1];
}
