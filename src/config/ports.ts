/** Default local ports, declared once. Tests never use these: they pick free ports (test/support/stack.ts). */
export const DEFAULT_PORTS = {
  temporalFrontend: 7233,
  temporalUi: 8233,
  simulator: 8790,
  stores: [
    { id: 'primary', http: 8123, tcp: 9100 },
    { id: 'replica-1', http: 8124, tcp: 9101 },
    { id: 'replica-2', http: 8125, tcp: 9102 },
  ],
} as const;

export const LOOPBACK = '127.0.0.1';
