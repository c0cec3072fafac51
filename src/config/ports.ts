/**
 * Default ports of settings the config may leave out (the schema's defaults). Endpoints the config must
 * name (Temporal address, stores) are in config/marketprism.yaml. Tests never use these: they pick free
 * ports (test/support/test-config.ts).
 */
export const DEFAULT_PORTS = {
  temporalUi: 8233,
  /** the codec server the local Temporal UI decodes payloads with (`marketprism codec-server`) */
  codecServer: 8234,
  simulator: 8790,
  /** a worker's /metrics and /health (9464: the port OpenTelemetry's Prometheus exporter uses by default) */
  metrics: 9464,
} as const;

export const LOOPBACK = '127.0.0.1';
