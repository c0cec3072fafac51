/**
 * Custom search attributes and their Temporal types, declared once: the dev server registers them at start
 * (src/services/temporal.ts), workflows upsert them through typed keys (src/workflows/search-attributes.ts), so
 * the UI and `temporal workflow list --query` can filter collectors.
 */
export const SEARCH_ATTRIBUTES = {
  Exchange: 'Keyword',
  DataType: 'Keyword',
  Symbols: 'KeywordList',
} as const;
