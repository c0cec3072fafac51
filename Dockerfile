# syntax=docker/dockerfile:1
# MarketPrism's image: workers, the CLI and the exchange simulator (temporal-compose.yml builds it).
# Debian (bookworm) based Node 20 (the version the test suite runs on); runs as the image's unprivileged `node` user (uid 1000); the CLI runs the
# TypeScript sources through tsx, so there is no build step. Lint: `hadolint Dockerfile` (test/services/compose.test.ts).
FROM node:20-bookworm-slim

ENV NODE_ENV=production \
    MARKETPRISM_LOG_FORMAT=json

WORKDIR /app
RUN mkdir -p /app/.marketprism && chown -R 1000:1000 /app
USER 1000:1000

COPY --chown=1000:1000 package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --chown=1000:1000 . .

# a worker's Prometheus /metrics and /health (config: metrics.port)
EXPOSE 9464
HEALTHCHECK --interval=15s --timeout=5s --start-period=90s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:9464/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

CMD ["node", "bin/marketprism.js", "worker"]
