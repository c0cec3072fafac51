import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { CompressionCodec } from '../../src/client/compression-codec';
import { payloadFromJson, payloadToJson, startCodecServer, type RunningCodecServer } from '../../src/client/codec-server';

/**
 * The codec server speaks Temporal's codec server protocol over real HTTP on 127.0.0.1: protobuf JSON payloads
 * in and out, only the last path segment counts, CORS for the UI's origin. Needs no stack.
 */
const UI = 'http://127.0.0.1:8233';

/** A fetch result as a worker writes it: JSON, then gzip (it is over the codec's 1 KiB threshold). */
async function compressedResult(): Promise<{ value: unknown; payload: Payload }> {
  const rows = Array.from({ length: 40 }, (_, i) => ({ exchange: 'okx', symbol: 'BTC/USDT', tradeId: String(35920206628 + i), price: 60_000 + i, amount: 0.05, side: 'buy' }));
  const value = { batches: [{ batchId: 'trades-3f2a', table: 'trades', rows }], cursors: {}, caughtUp: true };
  const [payload] = await new CompressionCodec().encode([defaultPayloadConverter.toPayload(value)]);
  return { value, payload };
}

describe('codec server', () => {
  let server: RunningCodecServer;
  before(async () => {
    server = await startCodecServer({ port: 0, host: '127.0.0.1', origins: [UI, 'http://localhost:8233'], maxBodyBytes: 64 * 1024 });
  });
  after(() => server?.close());

  const post = (path: string, body: string, headers: Record<string, string> = {}): Promise<Response> =>
    fetch(`${server.url}${path}`, { method: 'POST', body, headers: { 'content-type': 'application/json', 'x-namespace': 'default', ...headers } });

  it('decodes a gzip payload (what the UI shows as "H4sI…") into the JSON the worker wrote', async () => {
    const { value, payload } = await compressedResult();
    const wire = payloadToJson(payload);
    assert.equal(Buffer.from(wire.metadata!.encoding, 'base64').toString(), 'binary/gzip');
    assert.match(wire.data!, /^H4sI/, 'gzip, base64: what the UI showed before');
    const res = await post('/decode', JSON.stringify({ payloads: [wire] }), { origin: UI });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('access-control-allow-origin'), UI);
    assert.match(res.headers.get('content-type') ?? '', /application\/json/);
    const body = (await res.json()) as { payloads: unknown[] };
    const decoded = payloadFromJson(body.payloads[0], 0);
    assert.equal(Buffer.from(decoded.metadata!.encoding!).toString(), 'json/plain');
    assert.deepEqual(defaultPayloadConverter.fromPayload(decoded), value);
  });

  it('passes payloads the codec did not compress through unchanged, in order', async () => {
    const small = payloadToJson(defaultPayloadConverter.toPayload({ store: 'replica-1', inserted: 3 }));
    const { payload } = await compressedResult();
    const res = await post('/decode', JSON.stringify({ payloads: [small, payloadToJson(payload), small] }));
    const body = (await res.json()) as { payloads: Array<{ data: string }> };
    assert.equal(body.payloads.length, 3);
    assert.deepEqual(body.payloads[0], small);
    assert.deepEqual(body.payloads[2], small);
    assert.match(Buffer.from(body.payloads[1].data, 'base64').toString(), /^\{"batches":/);
  });

  it('encodes as the workers do, and only the last path segment counts (/default/decode)', async () => {
    const { value } = await compressedResult();
    const plain = payloadToJson(defaultPayloadConverter.toPayload(value));
    const encoded = (await (await post('/encode', JSON.stringify({ payloads: [plain] }))).json()) as { payloads: unknown[] };
    assert.equal(Buffer.from(payloadFromJson(encoded.payloads[0], 0).metadata!.encoding!).toString(), 'binary/gzip');
    const back = (await (await post('/default/decode', JSON.stringify(encoded))).json()) as { payloads: unknown[] };
    assert.deepEqual(defaultPayloadConverter.fromPayload(payloadFromJson(back.payloads[0], 0)), value);
  });

  it("answers the UI's CORS preflight for its origins, naming the headers it sends", async () => {
    for (const origin of [UI, 'http://localhost:8233']) {
      const res = await fetch(`${server.url}/decode`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-namespace' },
      });
      assert.equal(res.status, 204);
      assert.equal(res.headers.get('access-control-allow-origin'), origin);
      assert.match(res.headers.get('access-control-allow-methods') ?? '', /POST/);
      const allowed = (res.headers.get('access-control-allow-headers') ?? '').toLowerCase();
      for (const header of ['content-type', 'x-namespace']) assert.ok(allowed.includes(header), `${header} allowed: ${allowed}`);
    }
  });

  it('refuses another origin, and says how to allow it', async () => {
    const res = await post('/decode', JSON.stringify({ payloads: [] }), { origin: 'http://127.0.0.1:9999' });
    assert.equal(res.status, 403);
    assert.equal(res.headers.get('access-control-allow-origin'), null);
    assert.equal((await res.text()).trim(), 'origin http://127.0.0.1:9999 is not allowed; start the codec server with --origin http://127.0.0.1:9999');
  });

  it('answers bad requests with one line saying what to send', async () => {
    const cases: Array<[() => Promise<Response>, number, RegExp]> = [
      [() => post('/decode', 'H4sI'), 400, /^the body is not JSON; send \{"payloads": \[\.\.\.\]\}$/],
      [() => post('/decode', '{"payload": []}'), 400, /^the body has no "payloads" array/],
      [() => post('/decode', '{"payloads": [{"data": "not base64!"}]}'), 400, /^payloads\[0\]\.data is not a base64 string/],
      [() => post('/decode', '{"payloads": [{"metadata": {"encoding": "json plain"}, "data": "AAAA"}]}'), 400, /^payloads\[0\]\.metadata\.encoding is not a base64 string/],
      [() => post('/decode', `{"payloads": [{"metadata": {"encoding": "${Buffer.from('binary/gzip').toString('base64')}"}, "data": "AAAA"}]}`), 400, /^could not decode the payloads: /],
      [() => post('/decode', JSON.stringify({ payloads: [{ data: 'A'.repeat(70 * 1024) }] })), 413, /^the body exceeds 65536 bytes/],
      [() => post('/transcode', '{}'), 404, /^no \/transcode here; POST payloads to \/decode or \/encode$/],
      [() => fetch(`${server.url}/decode`), 405, /^GET \/decode: use POST$/],
    ];
    for (const [request, status, message] of cases) {
      const res = await request();
      const text = await res.text();
      assert.equal(res.status, status, text);
      assert.match(text.trim(), message);
      assert.equal(text.trim().split('\n').length, 1);
    }
    // and it still serves
    assert.equal((await fetch(`${server.url}/health`)).status, 200);
  });
});

describe('temporal-compose.yml', () => {
  it("points the UI at the codec-server service, which allows the UI's published origin", () => {
    type Service = { command?: string[]; ports?: string[]; environment?: Record<string, string> };
    const compose = parseYaml(readFileSync(path.resolve(__dirname, '../../temporal-compose.yml'), 'utf8')) as { services: Record<string, Service> };
    const ui = compose.services['temporal-ui'];
    const codec = compose.services['codec-server'];
    const command = codec.command ?? [];
    const option = (name: string): string[] => command.flatMap((arg, i) => (arg === name ? [command[i + 1]] : []));
    assert.deepEqual(command.slice(0, 3), ['node', 'bin/marketprism.js', 'codec-server']);
    const [port] = option('--port');
    // the browser calls the endpoint from the host: the codec server's port is published there
    assert.equal(ui.environment?.TEMPORAL_CODEC_ENDPOINT, `http://127.0.0.1:${port}`);
    assert.ok(codec.ports?.includes(`127.0.0.1:${port}:${port}`), `codec-server publishes ${port}: ${codec.ports?.join(', ')}`);
    const uiPort = ui.ports?.[0]?.split(':')[1];
    assert.ok(option('--origin').includes(`http://localhost:${uiPort}`) && option('--origin').includes(`http://127.0.0.1:${uiPort}`), `origins ${option('--origin').join(', ')}`);
  });
});
