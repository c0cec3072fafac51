import { json, SimHttpError, type SimRequest, type SimResponse } from '../http';
import { INSTRUMENTS, type Instrument } from '../instruments';

/**
 * Deribit's JSON-RPC-over-HTTP envelope and parameter rules. Every answer is
 * {jsonrpc:'2.0', result | error, usIn, usOut, usDiff, testnet}; every error is HTTP 400 with a JSON-RPC
 * error object, so ccxt's deribit exceptions map applies (-32602 Invalid params → BadRequest,
 * 13009 unauthorized → AuthenticationError, 10028 too_many_requests → DDoSProtection…).
 */
function envelope(now: number, body: Record<string, unknown>): Record<string, unknown> {
  const usIn = now * 1000;
  return { jsonrpc: '2.0', ...body, usIn, usOut: usIn + 42, usDiff: 42, testnet: false };
}

export const rpcResult = (now: number, result: unknown): SimResponse => json(200, envelope(now, { result }));

export function rpcError(status: number, now: number, code: number, message: string, data?: Record<string, string>): SimResponse {
  return json(status, envelope(now, { error: data ? { message, data, code } : { message, code } }));
}

/** Deribit's answer to any bad parameter: -32602 "Invalid params" naming the parameter and the reason. */
export const invalidParam = (req: SimRequest, param: string, reason = 'wrong format'): never => {
  throw new SimHttpError(rpcError(400, req.now, -32602, 'Invalid params', { reason, param }));
};

/** An integer parameter (absent → undefined); anything else is Invalid params. */
export function intArg(req: SimRequest, name: string): number | undefined {
  const raw = req.query.get(name);
  if (raw === null || raw === '') return undefined;
  if (!/^-?\d+$/.test(raw)) invalidParam(req, name);
  return Number(raw);
}

/** `count`: default and maximum as the method documents them. */
export function countArg(req: SimRequest, fallback: number, max: number, name = 'count'): number {
  const count = intArg(req, name) ?? fallback;
  if (count < 1 || count > max) invalidParam(req, name, `must be between 1 and ${max}`);
  return count;
}

/** One of the allowed words, or the fallback when absent. */
export function enumArg<T extends string>(req: SimRequest, name: string, allowed: readonly T[], fallback: T): T {
  const raw = req.query.get(name);
  if (raw === null || raw === '') return fallback;
  if (!(allowed as readonly string[]).includes(raw)) invalidParam(req, name);
  return raw as T;
}

/** The instrument named by instrument_name; an unknown name is -32602 "wrong format", as Deribit answers it. */
export function instrumentArg(req: SimRequest): Instrument {
  const name = req.query.get('instrument_name');
  if (!name) invalidParam(req, 'instrument_name', 'must be present');
  const inst = INSTRUMENTS.deribit.find((i) => i.id === name);
  if (!inst) invalidParam(req, 'instrument_name');
  return inst!;
}
