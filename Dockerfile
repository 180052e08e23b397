# apinizer-policy-enforcer: one image for the API, the workers and the simulator, running the
# compiled JavaScript in dist/ (no TypeScript at run time).
#   docker build -t apinizer-policy-enforcer .
#   docker run ... apinizer-policy-enforcer                                   # API
#   docker run ... apinizer-policy-enforcer node dist/main.js worker          # workers
#   docker run ... apinizer-policy-enforcer node dist/simulator/main.js ...   # the simulator
# Node 20, as package.json's engines, CI and development; the exact release is pinned (20.20.2, the
# newest 20.x), so an image built later runs the same Node. Raise it on purpose, with the CI's.

ARG NODE_IMAGE=node:20.20.2-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` builds dist/ from sources that are only copied below.
RUN npm ci --ignore-scripts --no-audit --no-fund
# The context is filtered by .dockerignore (no node_modules, dist, .git, tests, docs, secrets).
COPY . .
# Type-checks and compiles src/ into dist/ (Lua scripts beside their modules): a type error fails
# the image.
RUN npm run build

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# Production dependencies only; no install scripts (the only ones are an optional native msgpack
# speed-up that ships prebuilt, and `prepare`, which has nothing to build here).
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false \
    HOST=0.0.0.0 \
    PORT=8080
WORKDIR /app
# Owned by root and read-only to the service user: the process cannot rewrite its own code.
# scripts/build.mjs only lets the npm start scripts run here too (without src/ it does nothing).
COPY package.json package-lock.json ./
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/bin ./bin
COPY --from=build /app/scripts/build.mjs ./scripts/build.mjs
USER node
EXPOSE 8080
# Node's own fetch: the slim image has no curl. Workers serve no HTTP: disable it for them
# (docker-compose.yml does).
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8080) + '/healthz', { signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# node itself, no npm or shell in between: `docker stop`'s SIGTERM reaches the service, which
# finishes in-flight work (bounded by ENFORCER_SHUTDOWN_TIMEOUT_MS) and exits.
CMD ["node", "dist/main.js", "api"]
