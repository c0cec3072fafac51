import { defineSearchAttributeKey } from '@temporalio/common';

/**
 * Custom search attributes, declared once: the dev server registers them at start
 * (src/services/temporal.ts) and workflows upsert them, so the UI and `temporal workflow list --query` can filter.
 */
export const SEARCH_ATTRIBUTES = {
  Exchange: 'Keyword',
  DataType: 'Keyword',
  Symbols: 'KeywordList',
} as const;

export const EXCHANGE = defineSearchAttributeKey('Exchange', 'KEYWORD');
export const DATA_TYPE = defineSearchAttributeKey('DataType', 'KEYWORD');
export const SYMBOLS = defineSearchAttributeKey('Symbols', 'KEYWORD_LIST');
