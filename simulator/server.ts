import http from 'node:http';
import type { Socket } from 'node:net';
import { isDataFaultMode, type ActiveDataFault } from './data-faults';
import { EmittedLog } from './emitted';
import { binance } from './exchanges/binance';
import { binanceusdm } from './exchanges/binanceusdm';
import { bybit } from './exchanges/bybit';
import { deribit } from './exchanges/deribit';
import { okx } from './exchanges/okx';
import type { ExchangeContext, SimExchangeApi } from './exchanges/types';
import { FaultInputError, FaultRegistry, parseFault, type Fault } from './faults';
import { SimHttpError, type SimResponse } from './http';
import { applyListingChange, ListingInputError, parseListingChange } from './listings';
import { isSimExchange, servedInstruments, SIM_EXCHANGES, type SimExchange } from './instruments';
import { Market } from './market';
import { HistoryInputError, parseHistoryDepth, parseHistoryExchange, TradeHistory, type HistoryDepth, type PagedHistoryExchange } from './trade-history';
import { truth, TruthInputError } from './truth';

/**
 * One HTTP server for every simulated exchange: /<exchange>/<the exchange's real REST path>, plus
 * /_admin/* for ground truth and fault injection. Plain node:http, no framework.
 */
export interface SimulatorOptions {
  port: number;
  /** listen address; default 127.0.0.1 (0.0.0.0 inside a container, so other services can reach it) */
  host?: string;
  seed: number;
  tradesPerSecond: number;
  /**
   * per exchange, how far back its paged trade endpoint reaches (older trades exist only in ground truth);
   * unset exchanges keep the real exchange's depth (DEFAULT_TRADE_HISTORY in trade-history.ts)
   */
  tradeHistory?: Partial<Record<PagedHistoryExchange, HistoryDepth>>;
  /** also list okx DEC/USDT and TINY/USDT, whose decimals ClickHouse's Float64 parser can misread (instruments.ts) */
  decimalQuirks?: boolean;
  /** generated listings per exchange beside the fixed ones (instruments.ts, generatedInstruments) */
  instruments?: number;
  /** the market clock; defaults to the wall clock */
  now?: () => number;
}

export interface RunningSimulator {
  url: string;
  port: number;
  close(): Promise<void>;
}

const EXCHANGES: Record<SimExchange, SimExchangeApi> = { okx, binance, binanceusdm, bybit, deribit };

function send(res: http.ServerResponse, response: SimResponse): void {
  const text = typeof response.body === 'string' ? response.body : JSON.stringify(response.body);
  const contentType = typeof response.body === 'string' && !/^[[{]/.test(response.body) ? 'text/html' : 'application/json';
  res.writeHead(response.status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text), ...response.headers });
  res.end(text);
}

/** The host part of the URL clients on this machine use: a wildcard address is reached through loopback. */
function urlHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

const adminError = (status: number, message: string): SimResponse => ({ status, body: { error: message } });

async function readBody(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function describeFault(f: Fault, wallNow: number): Record<string, unknown> {
  return { ...f, remainingMs: f.until === undefined ? null : Math.max(0, f.until - wallNow) };
}

export async function startSimulator(opts: SimulatorOptions): Promise<RunningSimulator> {
  const host = opts.host ?? '127.0.0.1';
  const now = opts.now ?? Date.now;
  const market = new Market({ seed: opts.seed, tradesPerSecond: opts.tradesPerSecond });
  const tradeHistory = new TradeHistory(opts.tradeHistory);
  const emitted = new EmittedLog();
  const faults = new FaultRegistry();
  const dataFault = (exchange: SimExchange): ActiveDataFault | undefined => {
    const fault = faults.active(exchange, Date.now());
    return fault && isDataFaultMode(fault.mode) ? { mode: fault.mode, rate: fault.rate } : undefined;
  };
  const instruments = servedInstruments({ decimalQuirks: opts.decimalQuirks, instruments: opts.instruments });
  const ctx: ExchangeContext = {
    market,
    instruments,
    tradeHistory,
    dataFault,
    recordSnapshot: (type, inst, record) => emitted.record(type, inst, record),
  };

  async function admin(req: http.IncomingMessage, path: string, query: URLSearchParams): Promise<SimResponse> {
    const wallNow = Date.now();
    const route = `${req.method} ${path}`;
    switch (route) {
      case 'GET /_admin/health':
        return { status: 200, body: { ok: true } };
      case 'GET /_admin/instruments':
        return {
          status: 200,
          body: SIM_EXCHANGES.flatMap((id) => instruments[id].map((i) => ({ exchange: id, id: i.id, symbol: i.symbol, type: i.type, tradeRate: i.tradeRate ?? 1, delisted: i.delisted === true }))),
        };
      case 'POST /_admin/listings': {
        let parsed: unknown;
        try {
          parsed = JSON.parse((await readBody(req)) || 'null');
        } catch {
          return adminError(400, 'listings body is not valid JSON; send {"exchange":"binanceusdm","list":"NEWCOIN"} or {"exchange":"binanceusdm","delist":"X0003USDT"}');
        }
        const inst = applyListingChange(instruments, parseListingChange(parsed));
        return { status: 200, body: { exchange: inst.exchange, id: inst.id, symbol: inst.symbol, type: inst.type, delisted: inst.delisted === true } };
      }
      case 'GET /_admin/faults':
        return { status: 200, body: faults.list(wallNow).map((f) => describeFault(f, wallNow)) };
      case 'POST /_admin/faults': {
        let parsed: unknown;
        try {
          parsed = JSON.parse((await readBody(req)) || 'null');
        } catch {
          return adminError(400, 'fault body is not valid JSON; send {"exchange":"okx","mode":"rate_limit"}');
        }
        const fault = parseFault(parsed, wallNow);
        faults.set(fault);
        return { status: 200, body: describeFault(fault, wallNow) };
      }
      case 'DELETE /_admin/faults': {
        const exchange = query.get('exchange');
        if (exchange !== null && !isSimExchange(exchange)) return adminError(400, `exchange '${exchange}' is not simulated; use one of ${SIM_EXCHANGES.join(', ')}`);
        faults.clear(exchange ?? undefined);
        return { status: 200, body: { ok: true } };
      }
      case 'GET /_admin/trade-history':
        return { status: 200, body: tradeHistory.table() };
      case 'POST /_admin/trade-history': {
        let parsed: unknown;
        try {
          parsed = JSON.parse((await readBody(req)) || 'null');
        } catch {
          return adminError(400, 'trade-history body is not valid JSON; send {"exchange":"okx","depth":"60s"}');
        }
        const body = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Record<string, unknown>;
        const exchange = parseHistoryExchange(body.exchange);
        tradeHistory.set(exchange, parseHistoryDepth(body.depth, `depth of ${exchange}`));
        return { status: 200, body: tradeHistory.table() };
      }
      case 'POST /_admin/reset':
        faults.clear();
        tradeHistory.reset();
        return { status: 200, body: { ok: true } };
      case 'GET /_admin/truth':
        return { status: 200, body: truth(query, market, emitted, now(), dataFault, instruments) };
      default:
        return adminError(404, `no admin route ${route}; see docs/simulator.md`);
    }
  }

  /**
   * Applies the exchange's active fault to one request: 'answered' when the fault answered (or dropped) it,
   * 'truncate' when the normal answer must be cut in half, 'none' when the request goes through untouched.
   */
  function injectFault(exchange: SimExchangeApi, req: http.IncomingMessage, res: http.ServerResponse, hanging: Set<http.ServerResponse>): 'answered' | 'truncate' | 'none' {
    const fault = faults.active(exchange.id, Date.now());
    // data faults change items inside well-formed answers: the handlers apply them (data-faults.ts)
    if (!fault || isDataFaultMode(fault.mode) || Math.random() >= fault.rate) return 'none';
    const at = now();
    switch (fault.mode) {
      case 'error_rate': {
        const kinds = ['server_error', 'service_unavailable'] as const;
        send(res, exchange.faultResponse(kinds[Math.floor(Math.random() * kinds.length)], fault.retryAfterSec, at));
        return 'answered';
      }
      case 'rate_limit':
      case 'ban':
        send(res, exchange.faultResponse(fault.mode, fault.retryAfterSec, at));
        return 'answered';
      case 'server_error':
        send(res, exchange.faultResponse(Math.random() < 0.5 ? 'server_error' : 'service_unavailable', fault.retryAfterSec, at));
        return 'answered';
      case 'hang':
        // never answer; the socket is destroyed when the client gives up or the simulator closes
        hanging.add(res);
        res.on('close', () => hanging.delete(res));
        return 'answered';
      case 'reset':
        req.socket.destroy();
        return 'answered';
      case 'outage':
        if (fault.style === 'maintenance') send(res, exchange.faultResponse('maintenance', fault.retryAfterSec, at));
        else req.socket.destroy();
        return 'answered';
      case 'malformed':
        send(res, { status: 200, body: '{"code":"0","data":[{"oops" "not json" ]', headers: { 'Content-Type': 'application/json' } });
        return 'answered';
      case 'truncated':
        return 'truncate';
      default:
        return 'none';
    }
  }

  const hanging = new Set<http.ServerResponse>();
  const sockets = new Set<Socket>();
  const server = http.createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://simulator');
      const [, first = ''] = url.pathname.split('/');
      let response: SimResponse;
      try {
        if (first === '_admin') {
          response = await admin(req, url.pathname, url.searchParams);
        } else if (isSimExchange(first)) {
          const exchange = EXCHANGES[first];
          const injected = injectFault(exchange, req, res, hanging);
          if (injected === 'answered') return;
          const raw = req.method === 'POST' ? await readBody(req) : '';
          let body: unknown;
          try {
            body = raw ? JSON.parse(raw) : undefined;
          } catch {
            body = undefined;
          }
          const path = url.pathname.slice(first.length + 1) || '/';
          response = exchange.handle({ method: req.method ?? 'GET', path, query: url.searchParams, body, now: now() }, ctx);
          if (injected === 'truncate') {
            const text = typeof response.body === 'string' ? response.body : JSON.stringify(response.body);
            response = { ...response, body: text.slice(0, Math.max(1, Math.floor(text.length / 2))) };
          }
        } else {
          response = adminError(404, `unknown path ${url.pathname}; exchanges live under /${SIM_EXCHANGES.join(', /')} and admin under /_admin`);
        }
      } catch (err) {
        if (err instanceof SimHttpError) response = err.response;
        else if (err instanceof FaultInputError || err instanceof ListingInputError || err instanceof TruthInputError || err instanceof HistoryInputError) response = adminError(400, err.message);
        else response = adminError(500, `simulator bug: ${(err as Error).message}`);
      }
      send(res, response);
    })();
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://${urlHost(host)}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
