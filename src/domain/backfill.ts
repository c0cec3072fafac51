/** What a backfill chunk's check found in the stores (activities/backfill.ts, backfillCheck). */
export interface BackfillCheck {
  /** distinct trade ids the stores hold in the range */
  stored: number;
  firstId: string | null;
  lastId: string | null;
  /** whether the exchange numbers an instrument's trades one by one (binance, okx ids), so holes can be counted */
  sequential: boolean;
  /** ids missing between the first and the last, and the first holes (at most 20) as [first missing, last missing] */
  missing: number;
  holes: Array<[string, string]>;
}
