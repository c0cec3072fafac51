import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import type { Payload, PayloadCodec } from '@temporalio/common';

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

const ENCODING = 'binary/gzip';
/** Small payloads are left alone: gzip's header would make them bigger. */
const MIN_BYTES = 1024;

/**
 * Batches travel through Temporal history, so they are compressed on the way in: market rows are
 * repetitive JSON and shrink several-fold, keeping batches far under the 2 MB payload limit.
 * Registered on every client and worker (src/temporal/data-converter.ts).
 */
export class CompressionCodec implements PayloadCodec {
  async encode(payloads: Payload[]): Promise<Payload[]> {
    return Promise.all(
      payloads.map(async (payload) => {
        const size = payload.data?.length ?? 0;
        if (size < MIN_BYTES) return payload;
        const inner = Buffer.from(JSON.stringify({ metadata: encodeMetadata(payload.metadata), data: Buffer.from(payload.data!).toString('base64') }));
        return { metadata: { encoding: Buffer.from(ENCODING) }, data: await gzipAsync(inner) };
      }),
    );
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return Promise.all(
      payloads.map(async (payload) => {
        if (Buffer.from(payload.metadata?.encoding ?? []).toString() !== ENCODING) return payload;
        const inner = JSON.parse((await gunzipAsync(payload.data!)).toString()) as { metadata: Record<string, string>; data: string };
        return { metadata: decodeMetadata(inner.metadata), data: Buffer.from(inner.data, 'base64') };
      }),
    );
  }
}

function encodeMetadata(metadata: Payload['metadata']): Record<string, string> {
  return Object.fromEntries(Object.entries(metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')]));
}

function decodeMetadata(metadata: Record<string, string>): Record<string, Uint8Array> {
  return Object.fromEntries(Object.entries(metadata).map(([k, v]) => [k, Buffer.from(v, 'base64')]));
}
