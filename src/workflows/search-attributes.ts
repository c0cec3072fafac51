import { defineSearchAttributeKey } from '@temporalio/common';
import type { SEARCH_ATTRIBUTES } from '../domain/search-attributes';

/** Typed keys of the custom search attributes (declared in src/domain/search-attributes.ts). */
type Name = keyof typeof SEARCH_ATTRIBUTES;
const name = <N extends Name>(n: N): N => n;

export const EXCHANGE = defineSearchAttributeKey(name('Exchange'), 'KEYWORD');
export const DATA_TYPE = defineSearchAttributeKey(name('DataType'), 'KEYWORD');
export const SYMBOLS = defineSearchAttributeKey(name('Symbols'), 'KEYWORD_LIST');
