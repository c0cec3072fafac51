# Image for MarketPrism workers, the CLI and the simulator (used by temporal-compose.yml).
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY . .
USER node
ENTRYPOINT []
CMD ["node", "bin/marketprism.js", "worker"]
