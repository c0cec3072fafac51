import type { DataConverter } from '@temporalio/common';
import { CompressionCodec } from './compression-codec';

/** The one data converter every client and worker uses. */
export const dataConverter: DataConverter = { payloadCodecs: [new CompressionCodec()] };
