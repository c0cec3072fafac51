import type { Config, StoreConfig } from '../../config/schema';
import { BadStorageInputError } from './failures';

/**
 * Activities receive a store id, never a URL or secret (those stay out of workflow history); the store is
 * looked up in the worker's config here.
 */
export type StoreResolver = (storeId: string) => StoreConfig;

export function storeResolver(config: () => Config): StoreResolver {
  return (storeId) => {
    const stores = config().stores;
    const store = stores.find((s) => s.id === storeId);
    if (!store) {
      throw new BadStorageInputError(`store '${storeId}' is not in the config (have: ${stores.map((s) => s.id).join(', ')}); use a configured store id`);
    }
    return store;
  };
}
