import { divide, multiply } from '../src/domain/sizes';
import type { Instrument } from './instruments';

/**
 * A simulated trade's size in every unit, as the simulated exchange defines its amount: base currency on spot,
 * contracts of `contractSize` base units on linear swaps (okx: ctVal; binance USD-M and bybit: 1), USD on the
 * inverse perpetuals (deribit: multiples of the 10 USD contract). Ground truth for the stored sizes.
 */
export function tradeSizes(inst: Instrument, amount: number, price: number): { contractSize: number | null; baseAmount: number; quoteAmount: number } {
  if (inst.type === 'spot') return { contractSize: null, baseAmount: amount, quoteAmount: multiply(amount, price) };
  if (inst.inverse) return { contractSize: inst.contractSize, baseAmount: divide(amount, price), quoteAmount: amount };
  const baseAmount = multiply(amount, inst.contractSize);
  return { contractSize: inst.contractSize, baseAmount, quoteAmount: multiply(baseAmount, price) };
}
