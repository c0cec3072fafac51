import { ApplicationFailure } from '@temporalio/common';
import { BadRowError } from '../../storage/columns';
import { storeError } from '../../storage/errors';
import { BadIdentifierError } from '../../storage/identifiers';

/** Bad input that no retry can fix (unknown store, malformed batch). */
export class BadStorageInputError extends Error {
  override name = 'BadStorageInputError';
}

/**
 * What a storage activity throws: bad input as a non-retryable `bad_request` ApplicationFailure (the
 * reliability layer takes it at its word); store failures wrapped by storeError, for classify() to map.
 */
export function storageFailure(store: { id: string; url: string } | undefined, err: unknown): Error {
  if (err instanceof BadRowError || err instanceof BadIdentifierError || err instanceof BadStorageInputError) {
    return ApplicationFailure.create({ type: 'bad_request', message: err.message, nonRetryable: true });
  }
  return store ? storeError(store.id, store.url, err) : (err as Error);
}
