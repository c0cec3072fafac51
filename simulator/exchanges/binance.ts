import { json, type SimRequest, type SimResponse } from '../http';
import { aggTrades, binanceFaultResponse, binanceNotFound, depth, exchangeInfo, ticker24hr } from './binance-common';
import type { ExchangeContext, SimExchangeApi } from './types';

/** Binance spot, /api/v3 as ccxt's binance.js calls it (urls.api.public). */
type Route = (req: SimRequest, ctx: ExchangeContext) => SimResponse;
const ROUTES: Record<string, Route> = {
  '/api/v3/ping': () => json(200, {}),
  '/api/v3/time': (req) => json(200, { serverTime: req.now }),
  '/api/v3/exchangeInfo': (req, ctx) => exchangeInfo('binance', req.now, ctx.instruments),
  '/api/v3/aggTrades': (req, ctx) => aggTrades('binance', req, ctx),
  '/api/v3/depth': (req, ctx) => depth('binance', req, ctx),
  '/api/v3/ticker/24hr': (req, ctx) => ticker24hr('binance', req, ctx),
};

export const binance: SimExchangeApi = {
  id: 'binance',
  handle(req, ctx) {
    const route = req.method === 'GET' ? ROUTES[req.path] : undefined;
    return route ? route(req, ctx) : binanceNotFound();
  },
  faultResponse: binanceFaultResponse,
};
