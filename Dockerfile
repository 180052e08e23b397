# apinizer-policy-enforcer: one image for the API, the workers and the simulator.
#   docker build -t apinizer-policy-enforcer .
#   docker run ... apinizer-policy-enforcer                          # API (npm run start:api)
#   docker run ... apinizer-policy-enforcer npm run start:worker     # workers
# The start scripts run TypeScript through tsx (a runtime dependency), so the image carries src/
# (and bin/, the `enforcer` CLI launcher, also run through tsx). The build stage type-checks.

ARG NODE_IMAGE=node:22-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
# The context is filtered by .dockerignore (no node_modules, .git, tests, docs, secrets).
COPY . .
# Type-checks and compiles: a type error fails the image. bin/ (the CLI launcher) may be absent.
RUN npm run build && mkdir -p bin dist

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM ${NODE_IMAGE} AS runtime
# NPM_CONFIG_SCRIPT_SHELL=/bin/bash: npm runs a script through `<shell> -c`. dash (/bin/sh) forks the
# command and dies on SIGTERM without passing it on, so `docker stop` would never reach the service
# and in-flight gateway calls would be cut by the SIGKILL after the grace period. bash execs a single
# command, so npm's forwarded SIGTERM reaches tsx and the service, which finishes in-flight work
# (bounded by ENFORCER_SHUTDOWN_TIMEOUT_MS) and exits.
ENV NODE_ENV=production \
    NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false \
    NPM_CONFIG_SCRIPT_SHELL=/bin/bash \
    HOST=0.0.0.0 \
    PORT=8080
WORKDIR /app
# Owned by root and read-only to the service user: the process cannot rewrite its own code.
COPY package.json package-lock.json tsconfig.json ./
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/src ./src
COPY --from=build /app/bin ./bin
COPY --from=build /app/dist ./dist
USER node
EXPOSE 8080
# Node's own fetch: the slim image has no curl. Workers serve no HTTP: disable it for them
# (docker-compose.yml does).
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8080) + '/healthz', { signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["npm", "run", "start:api"]
