import { json } from '../http';
import type { SimExchangeApi } from './types';

/**
 * Deribit is not simulated yet: every route answers the JSON-RPC "method not found" error, so a client
 * fails loudly instead of parsing an empty market. Faults still apply (they are exchange-independent).
 */
const notYet = (now: number) =>
  json(404, { jsonrpc: '2.0', error: { code: -32601, message: 'Method not found (deribit is not simulated yet)' }, usIn: now * 1000, usOut: now * 1000, usDiff: 0, testnet: false });

export const deribit: SimExchangeApi = {
  id: 'deribit',
  handle: (req) => notYet(req.now),
  faultResponse: (kind, retryAfterSec, now) => {
    if (kind === 'rate_limit') return json(429, { jsonrpc: '2.0', error: { code: 10028, message: 'too_many_requests' }, usIn: now * 1000, usOut: now * 1000, usDiff: 0, testnet: false }, { 'Retry-After': String(retryAfterSec) });
    if (kind === 'ban') return json(418, '<html><body>banned</body></html>', { 'Retry-After': String(retryAfterSec) });
    return json(kind === 'server_error' ? 502 : 503, '<html><body>Service Unavailable</body></html>');
  },
};
