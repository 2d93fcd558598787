# microversion-gateway sidecar image. Same steps as README and CI: npm ci, npm run build.
# Build:  docker build -t microversion-gateway .
# Run:    see README, "Operating it".
#
# Node 24 is an LTS line (supported to April 2028); override with
# --build-arg NODE_IMAGE=node:22-alpine for the previous one.
ARG NODE_IMAGE=node:24-alpine

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY gateway ./gateway
RUN npm run build

FROM ${NODE_IMAGE}
LABEL org.opencontainers.image.title="microversion-gateway" \
      org.opencontainers.image.description="Reverse proxy that applies Nova microversion rules in front of a legacy compute API" \
      org.opencontainers.image.licenses="Apache-2.0"
# Configuration comes from the environment (every flag has a GATEWAY_* variable; see
# `microversion-gateway help`). Listen on all interfaces inside the container.
ENV NODE_ENV=production \
    GATEWAY_LISTEN=0.0.0.0:8080 \
    GATEWAY_ADMIN_LISTEN=0.0.0.0:9090 \
    GATEWAY_RULES=/etc/microversion-gateway/rules
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY --from=build /app/dist/gateway ./dist/gateway
# The shipped rules are the default; mount a directory (or a ConfigMap) over this path to
# replace them. The directory is watched: changes are validated and swapped in live.
COPY rules /etc/microversion-gateway/rules
# Non-root, by number so that Kubernetes' runAsNonRoot can verify it (1000 = "node").
# Code and rules stay root-owned: the process cannot change them.
USER 1000:1000
EXPOSE 8080 9090
# SIGTERM: stop accepting, finish in-flight requests (GATEWAY_SHUTDOWN_TIMEOUT, default 30 s), exit 0.
STOPSIGNAL SIGTERM
# Liveness on the admin port, wherever GATEWAY_ADMIN_LISTEN puts it (busybox wget, no extra package).
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
  CMD wget -q -T 2 -O /dev/null "http://127.0.0.1:${GATEWAY_ADMIN_LISTEN##*:}/healthz" || exit 1
ENTRYPOINT ["node", "--min-semi-space-size=16", "--initial-old-space-size=64", "--no-concurrent-array-buffer-sweeping", "dist/gateway/cli.js"]
CMD ["serve"]
