# syntax=docker/dockerfile:1
# One image for every program: the four services, the migration job and the utm CLI; the
# compose command picks which. The build stage compiles every workspace with its dev tools;
# the runtime stage holds only the production dependencies of the runtime workspaces, their
# built code and the SQL migrations (no compilers, sources or tests), owned by root and run
# by the unprivileged `node` user. Checked by deploy/test/dockerfile.test.ts.
ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY . .
RUN npm ci --loglevel=error && npm run build \
 && test -f services/web-console/dist/index.html  # the console the gateway serves under /app/

# The runtime tree under /runtime: every workspace's manifest (npm ci checks the lock against
# all of them), the production dependencies of the runtime workspaces only (omitting optional
# and peer dependencies keeps Prisma's CLI, TypeScript and the embedded Postgres of `npm start`
# out), then their dist/ and the migrations. Every @utm package a program imports is listed.
ARG RUNTIME_WORKSPACES="packages/config packages/contracts packages/db packages/logger packages/ops packages/queue packages/security packages/trading packages/read-model packages/webhooks packages/cli services/web-console services/ingest-gateway services/signal-processor services/broker-executor services/notifier"
RUN set -eu; \
    mkdir -p /runtime; \
    cp package.json package-lock.json .npmrc /runtime/; \
    find . -name node_modules -prune -o -name dist -prune -o -name package.json -print | xargs -I '{}' cp --parents '{}' /runtime/; \
    cd /runtime; \
    npm ci --omit=dev --omit=optional --omit=peer --ignore-scripts --loglevel=error $(for w in $RUNTIME_WORKSPACES; do printf -- '--workspace=%s ' "$w"; done); \
    cd /app; \
    for w in $RUNTIME_WORKSPACES; do cp -r "$w/dist" "/runtime/$w/dist"; done; \
    cp -r prisma /runtime/prisma

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /runtime /app
USER node
CMD ["node", "services/ingest-gateway/dist/main.js"]
