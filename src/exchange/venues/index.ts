import { binance, binancecoinm, binanceusdm } from './binance';
import { bybit } from './bybit';
import { deribit } from './deribit';
import { okx } from './okx';
import type { VenueQuirks } from './quirks';

export type { AllowedValues, ImplicitEndpoint, LiquidationPagingKind, TradePagingKind, TradePagingQuirk, TradeSequenceQuirk, VenueQuirks } from './quirks';

/** Per ccxt exchange id: what it does differently. Adding an exchange with quirks: a file here and a line below. */
const VENUES: Readonly<Record<string, VenueQuirks>> = { okx, binance, binanceusdm, binancecoinm, bybit, deribit };

/** The quirks of a ccxt exchange id; {} (ccxt's unified behaviour throughout) for one without a venue file. */
export function quirksOf(exchangeId: string): VenueQuirks {
  return VENUES[exchangeId] ?? {};
}
