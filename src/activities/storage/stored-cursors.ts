import type { Cursors } from '../../domain/cursor';
import { isDataType, type DataType } from '../../domain/data-types';
import type { FetchOptions } from '../../domain/fetch';
import { seriesColumns, storedSymbol } from '../../exchange/data-types/collector-rows';
import { storeClient } from '../../storage/client';
import { newestStored } from '../../storage/stored-cursors';
import { BadStorageInputError, storageFailure } from './failures';
import type { SchemaGuard } from './ensure-schema';
import type { StoreResolver } from './store-lookup';

export interface StoredCursorsInput {
  /** the store to read */
  store: string;
  /**
   * The collector asking (CollectorInput's fields). Nested on purpose: a top-level `exchange` would make the
   * exchange, not the store, this call's dependency for breakers and rate limits (src/reliability/dependency.ts).
   */
  collector: { exchange: string; dataType: DataType; symbols: string[]; options?: FetchOptions };
}

export interface StoredCursors {
  store: string;
  /** per collector symbol with stored rows: the newest stored event time and the keys at it */
  cursors: Cursors;
}

/**
 * Where a collector stopped, from what one store holds: per symbol, the newest stored item (event time and the
 * ids at that time), among the rows its options produce (a ratio's period, a volatility resolution). A collector
 * started without carried state begins there (src/workflows/stored-cursors.ts) instead of at the exchange's newest
 * page, so a stop and start neither refetches nor re-stores trades in new batches. A starting point only: the
 * ledgers keep writes idempotent whatever it says. Store failures are classified as usual; bad input (unknown
 * type, a symbol with quotes) is a bad_request.
 */
export function storedCursorsActivity(resolve: StoreResolver, schema?: SchemaGuard) {
  return async function storedCursors({ store: storeId, collector }: StoredCursorsInput): Promise<StoredCursors> {
    let store;
    try {
      store = resolve(storeId);
      if (!collector || !isDataType(String(collector.dataType)) || !Array.isArray(collector.symbols)) {
        throw new BadStorageInputError('storedCursors: pass {store, collector: {exchange, dataType, symbols, options?}} with a data type of src/domain/data-types.ts');
      }
      const { exchange, dataType, symbols, options } = collector;
      // a store that never saw a write (or came back empty) gets its schema: then it simply holds nothing
      await schema?.ensure(store);
      const stored = await newestStored(storeClient(store), store.database, dataType, {
        exchange,
        symbols: [...new Set(symbols.map((s) => storedSymbol(dataType, s)))],
        series: seriesColumns(dataType, options),
      });
      const cursors: Cursors = {};
      for (const symbol of symbols) {
        const cursor = stored.get(storedSymbol(dataType, symbol));
        if (cursor) cursors[symbol] = cursor;
      }
      return { store: store.id, cursors };
    } catch (err) {
      if (store) schema?.forget(store.id);
      throw storageFailure(store, err);
    }
  };
}
