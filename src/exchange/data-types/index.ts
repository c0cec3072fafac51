import type { DataType } from '../../domain/data-types';
import type { DataTypeFetch } from '../fetch-loop';
import { FUNDING_RATE } from './funding-rate';
import { LIQUIDATIONS } from './liquidations';
import { LSR_ALL_ACCOUNT, LSR_TOP_POSITION } from './long-short-ratio';
import { OPEN_INTEREST } from './open-interest';
import { ORDERBOOK } from './orderbook';
import { TICKER } from './ticker';
import { TRADES } from './trades';
import { VOLATILITY_INDEX } from './volatility-index';

/** How each data type is fetched and mapped: one small spec per type, run by the shared loop (fetch-loop.ts). */
export const DATA_TYPE_FETCHES: { readonly [T in DataType]: DataTypeFetch<T, unknown> } = {
  trades: TRADES,
  orderbook: ORDERBOOK,
  funding_rate: FUNDING_RATE,
  open_interest: OPEN_INTEREST,
  liquidations: LIQUIDATIONS,
  lsr_top_position: LSR_TOP_POSITION,
  lsr_all_account: LSR_ALL_ACCOUNT,
  volatility_index: VOLATILITY_INDEX,
  ticker: TICKER,
};
