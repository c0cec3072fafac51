import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { CompressionCodec } from './compression-codec';

/**
 * The payload codec over HTTP, so the Temporal UI (and `temporal workflow show --codec-endpoint`) can show
 * what the workers wrote: batches are gzip-compressed into history (compression-codec.ts) and read as
 * "H4sI…" without it. The protocol is Temporal's codec server protocol (docs.temporal.io/codec-server, and
 * protocol.md of temporalio/samples-go's codec-server sample):
 *  - POST …/decode and POST …/encode (only the last path segment counts) take and return
 *    `{"payloads": [Payload, …]}` in protobuf JSON, i.e. each metadata value and `data` base64;
 *  - the UI sends `Content-Type: application/json` and `X-Namespace`, from the browser, so the server answers
 *    CORS preflights (OPTIONS) and names the allowed UI origin in `Access-Control-Allow-Origin`.
 * Payloads carry no secrets by design (docs/design.md), so decoding them reveals nothing the UI may not show.
 */
export interface CodecServerOptions {
  /** TCP port; 0 picks a free one */
  port: number;
  /** interface to bind; 127.0.0.1 unless a container must reach it */
  host: string;
  /** browser origins allowed to call it, e.g. http://127.0.0.1:8233 (the Temporal UI) */
  origins: string[];
  /** the codec it serves; the workers' CompressionCodec unless a test passes another */
  codec?: PayloadCodec;
  /** request bodies above this many bytes are refused with 413; default MAX_BODY_BYTES */
  maxBodyBytes?: number;
}

export interface RunningCodecServer {
  /** http://host:port, what the UI's codec endpoint is set to */
  url: string;
  close(): Promise<void>;
}

/** A request body larger than this is refused (413): history payloads are at most 2 MB each, a few per event. */
export const MAX_BODY_BYTES = 32 * 1024 * 1024;

/** How long an idle keep-alive connection stays open, ms: longer than a browser keeps one (see startCodecServer). */
export const CODEC_KEEP_ALIVE_MS = 65_000;

/** A payload as protobuf JSON writes it: bytes fields are base64 strings. */
interface JsonPayload {
  metadata?: Record<string, string> | null;
  data?: string | null;
}

class BadRequest extends Error {
  constructor(
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

/** protobuf JSON accepts standard and URL-safe base64, with or without padding */
const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

function bytes(value: unknown, what: string): Uint8Array {
  if (typeof value !== 'string' || value.length % 4 === 1 || !BASE64.test(value)) {
    throw new BadRequest(`${what} is not a base64 string; send payloads as protobuf JSON (bytes fields in base64)`);
  }
  return Buffer.from(value, 'base64');
}

/** Protobuf JSON → Payload; throws BadRequest naming the payload that is malformed. */
export function payloadFromJson(json: unknown, index: number): Payload {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new BadRequest(`payloads[${index}] is not an object`);
  const { metadata, data } = json as JsonPayload;
  if (metadata !== undefined && metadata !== null && (typeof metadata !== 'object' || Array.isArray(metadata))) {
    throw new BadRequest(`payloads[${index}].metadata is not an object of base64 strings`);
  }
  return {
    metadata: Object.fromEntries(Object.entries(metadata ?? {}).map(([k, v]) => [k, bytes(v, `payloads[${index}].metadata.${k}`)])),
    data: data === undefined || data === null ? new Uint8Array() : bytes(data, `payloads[${index}].data`),
  };
}

/** Payload → protobuf JSON. */
export function payloadToJson(payload: Payload): JsonPayload {
  return {
    metadata: Object.fromEntries(Object.entries(payload.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? []).toString('base64')])),
    data: Buffer.from(payload.data ?? []).toString('base64'),
  };
}

function parsePayloads(body: string): Payload[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new BadRequest('the body is not JSON; send {"payloads": [...]}');
  }
  const payloads = (parsed as { payloads?: unknown } | null)?.payloads;
  if (!Array.isArray(payloads)) throw new BadRequest('the body has no "payloads" array; send {"payloads": [...]}');
  return payloads.map(payloadFromJson);
}

async function readBody(req: http.IncomingMessage, maxBytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) throw new BadRequest(`the body exceeds ${maxBytes} bytes; send fewer payloads per request`, 413);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * CORS for the allowed origins: the UI's fetch carries Content-Type and X-Namespace (and Authorization when
 * the UI is told to pass its access token), and may include credentials, so the origin is named, never `*`.
 */
function corsHeaders(req: http.IncomingMessage, origins: ReadonlySet<string>): Record<string, string> {
  const origin = req.headers.origin;
  if (!origin || !origins.has(origin)) return {};
  return {
    'Access-Control-Allow-Origin': origin,
    'Access-Control-Allow-Credentials': 'true',
    'Access-Control-Allow-Methods': 'POST, OPTIONS',
    'Access-Control-Allow-Headers': 'Content-Type, X-Namespace, Authorization',
    'Access-Control-Max-Age': '600',
    Vary: 'Origin',
    // Chrome's Private Network Access preflight, should the UI be served from a non-loopback address
    ...(req.headers['access-control-request-private-network'] === 'true' && { 'Access-Control-Allow-Private-Network': 'true' }),
  };
}

function send(res: http.ServerResponse, status: number, headers: Record<string, string>, body: unknown): void {
  const text = typeof body === 'string' ? `${body}\n` : JSON.stringify(body);
  res.writeHead(status, { ...headers, 'Content-Type': typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json' });
  res.end(text);
}

interface Served {
  codec: PayloadCodec;
  origins: ReadonlySet<string>;
  maxBodyBytes: number;
}

async function handle(req: http.IncomingMessage, res: http.ServerResponse, { codec, origins, maxBodyBytes }: Served): Promise<void> {
  const cors = corsHeaders(req, origins);
  const origin = req.headers.origin;
  if (origin && !cors['Access-Control-Allow-Origin']) {
    send(res, 403, {}, `origin ${origin} is not allowed; start the codec server with --origin ${origin}`);
    return;
  }
  const path = new URL(req.url ?? '/', 'http://codec').pathname;
  const action = path.split('/').filter(Boolean).at(-1);
  if (req.method === 'OPTIONS') {
    res.writeHead(204, cors).end();
    return;
  }
  if (req.method === 'GET' && path === '/health') {
    send(res, 200, cors, 'ok');
    return;
  }
  if (action !== 'decode' && action !== 'encode') {
    send(res, 404, cors, `no ${path} here; POST payloads to /decode or /encode`);
    return;
  }
  if (req.method !== 'POST') {
    send(res, 405, { ...cors, Allow: 'POST, OPTIONS' }, `${req.method} ${path}: use POST`);
    return;
  }
  const payloads = parsePayloads(await readBody(req, maxBodyBytes));
  let result: Payload[];
  try {
    result = action === 'decode' ? await codec.decode(payloads) : await codec.encode(payloads);
  } catch (err) {
    throw new BadRequest(`could not ${action} the payloads: ${(err as Error).message.split('\n')[0]}`);
  }
  send(res, 200, cors, { payloads: result.map(payloadToJson) });
}

/** Starts the codec server; resolves once it listens. Errors of one request answer that request only. */
export async function startCodecServer(options: CodecServerOptions): Promise<RunningCodecServer> {
  const origins = new Set(options.origins);
  const served: Served = { codec: options.codec ?? new CompressionCodec(), origins, maxBodyBytes: options.maxBodyBytes ?? MAX_BODY_BYTES };
  const server = http.createServer((req, res) => {
    handle(req, res, served).catch((err: unknown) => {
      if (res.headersSent) return void res.destroy();
      const status = err instanceof BadRequest ? err.status : 500;
      // the body of a refused request is not read further: close the connection rather than drain it
      send(res, status, { ...corsHeaders(req, origins), ...(status === 413 && { Connection: 'close' }) }, (err as Error).message);
    });
  });
  // A browser reuses an idle connection for its next POST; Node closes idle ones after 5 s by default, and a POST
  // sent as the server closes its socket fails in the browser without a retry (the UI shows "Decoding failed").
  // Idle connections are kept longer than browsers keep them (Chromium: 60 s), so the browser closes first.
  server.keepAliveTimeout = CODEC_KEEP_ALIVE_MS;
  server.headersTimeout = CODEC_KEEP_ALIVE_MS + 1_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host.includes(':') ? `[${options.host}]` : options.host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
