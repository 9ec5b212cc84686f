# One image for every service: build the workspace, keep production dependencies only,
# run as a non-root user. The command picks the service (see docker-compose.yml). The web
# console is static files (services/web-console/dist) that the gateway serves; its build
# tools are dev dependencies, pruned like the others.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY . .
RUN npm ci --loglevel=error && npm run build && npm prune --omit=dev --loglevel=error \
 && test -f services/web-console/dist/index.html  # the console the gateway serves under /app/

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build --chown=node:node /app/package.json /app/package-lock.json ./
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/packages ./packages
COPY --from=build --chown=node:node /app/services ./services
COPY --from=build --chown=node:node /app/prisma ./prisma
USER node
CMD ["node", "services/ingest-gateway/dist/main.js"]
