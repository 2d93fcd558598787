# microversion-gateway sidecar image. Same steps as README and CI: npm ci, npm run build.
# Build:  docker build -t microversion-gateway .
FROM node:22-alpine AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY gateway ./gateway
RUN npm run build

FROM node:22-alpine
ENV NODE_ENV=production \
    GATEWAY_LISTEN=0.0.0.0:8080 \
    GATEWAY_ADMIN_LISTEN=0.0.0.0:9090 \
    GATEWAY_RULES=/etc/microversion-gateway/rules
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force
COPY --from=build /app/dist/gateway ./dist/gateway
# Shipped rules as the default; mount a directory (or a ConfigMap) over this path to replace them.
COPY rules /etc/microversion-gateway/rules
USER node
EXPOSE 8080 9090
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
  CMD wget -qO- http://127.0.0.1:9090/healthz >/dev/null || exit 1
ENTRYPOINT ["node", "dist/gateway/cli.js"]
CMD ["serve"]
