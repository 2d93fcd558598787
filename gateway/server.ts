import http, { type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import express from 'express';
import type { Logger } from 'pino';
import type { GatewayConfig, HostPort } from './config';
import { NOVA_SERVICE, type VersionedService } from './microversion/service';
import { versionHeaderSet } from './microversion/responseHeaders';
import { discoverUpstreamVersions } from './microversion/discovery';
import { microversion, type Microversion } from './microversion/version';
import { advertisedMaximum } from './rules/advertised';
import { loadRuleSet } from './rules/load';
import type { RuleSet } from './rules/types';
import { GatewayMetrics } from './observe/metrics';
import { createLogger } from './observe/logger';
import { observeRequest } from './observe/accessLog';
import { GatewayAnswers } from './proxy/answer';
import { createForwarder } from './proxy/forward';
import { createAnswerPhase } from './proxy/answerPhase';
import { createPipeline, type GatewayState } from './proxy/pipeline';
import { LimitsCache } from './actions/limitsCache';
import { ImageService } from './actions/imageService';
import { RulesWatcher, type ReloadResult } from './rulesWatcher';

export interface RunningGateway {
  readonly proxyUrl: string;
  readonly adminUrl: string;
  readonly state: GatewayState;
  readonly metrics: GatewayMetrics;
  /** Resolves once the upstream maximum is known (immediately when configured). */
  readonly ready: Promise<void>;
  reloadRules(reason: string): Promise<ReloadResult>;
  /** Stop accepting, let in-flight requests finish up to the deadline, then close. */
  close(deadlineMs?: number): Promise<void>;
}

export interface GatewayOptions {
  readonly logger?: Logger;
  readonly collectProcessMetrics?: boolean;
}

export class StartupError extends Error {}

export async function startGateway(config: GatewayConfig, options: GatewayOptions = {}): Promise<RunningGateway> {
  if (!config.upstream) throw new StartupError('no upstream configured');
  const upstreamUrl = config.upstream;
  const logger = options.logger ?? createLogger(config.logLevel);
  const metrics = new GatewayMetrics(options.collectProcessMetrics ?? true);
  const service: VersionedService = { serviceType: config.serviceType, legacyHeader: config.legacyVersionHeader };
  const headerSet = versionHeaderSet(service);

  const loaded = await loadRuleSet(config.rulesDir);
  if (!loaded.ok) {
    throw new StartupError(`invalid rule set in ${config.rulesDir}:\n${loaded.errors.map((e) => e.text).join('\n')}`);
  }
  for (const w of loaded.warnings) logger.warn({ rulesDir: config.rulesDir }, w);
  const state: GatewayState = { ruleSet: loaded.ruleSet };

  const setRuleSet = (ruleSet: RuleSet) => {
    state.ruleSet = ruleSet;
    metrics.rulesLoaded.set(ruleSet.rules.length);
    metrics.ruleSetInfo.reset();
    metrics.ruleSetInfo.set({ hash: ruleSet.hash }, 1);
    metrics.lastReloadSuccess.set(Date.now() / 1000);
    recomputeAdvertised();
  };
  const recomputeAdvertised = () => {
    if (!state.upstream) return;
    const raise = advertisedMaximum(state.upstream.max, state.ruleSet.introduced);
    if (raise.stoppedAt) {
      logger.warn(
        { missing: raise.stoppedAt.missing.text, ignored: raise.stoppedAt.ignored.map((v) => v.text) },
        `advertised maximum stops at ${raise.max.text}: no rule file introduces ${raise.stoppedAt.missing.text}`,
      );
    }
    state.advertised = { min: state.upstream.range.min, max: raise.max };
    metrics.advertisedInfo.reset();
    metrics.advertisedInfo.set({ upstream_max: state.upstream.max.text, advertised_max: raise.max.text }, 1);
    logger.info({ upstreamMax: state.upstream.max.text, advertisedMax: raise.max.text, ruleSetHash: state.ruleSet.hash }, 'advertised microversion range');
  };
  const setUpstream = (min: Microversion, max: Microversion) => {
    state.upstream = { range: { min, max }, max };
    recomputeAdvertised();
  };
  setRuleSet(loaded.ruleSet);
  metrics.ruleReloads.inc({ result: 'success' }, 0);
  metrics.ruleReloads.inc({ result: 'failure' }, 0);

  const answers = new GatewayAnswers(headerSet);
  const forwarder = createForwarder(
    upstreamUrl,
    config.upstreamTimeoutMs,
    createAnswerPhase({ versionHeaderSet: headerSet, answers, metrics, logger, rewriteLimitBytes: config.rewriteLimitBytes }),
  );
  const pipeline = createPipeline({
    state, prefix: config.prefix, service, versionHeaderSet: headerSet, answers, forwarder, metrics, logger,
    bodyLimitBytes: config.bodyLimitBytes, shadowAll: config.shadow,
    actionEnv: {
      metrics, logger,
      limits: new LimitsCache(() => upstreamUrl, config.limitsCacheSeconds * 1000, config.upstreamTimeoutMs),
      imageService: new ImageService(config.upstreamTimeoutMs),
      rewriteLimitBytes: config.rewriteLimitBytes,
      imageServiceUrl: config.imageService,
      versionHeaderNames: [headerSet.standardName.toLowerCase(), headerSet.legacyName.toLowerCase()],
    },
  });

  const proxyApp = express();
  proxyApp.disable('x-powered-by');
  proxyApp.set('etag', false);
  proxyApp.set('query parser', false);
  proxyApp.use((req, res) => {
    observeRequest(req, res, metrics, logger);
    pipeline(req, res).catch((err: Error) => {
      logger.error({ err: err.message, stack: err.stack }, 'unexpected error in the request pipeline');
      if (!res.headersSent) answers.fault(res, 500);
      else res.destroy();
    });
  });

  const watcher = new RulesWatcher(config.rulesDir, logger, metrics, setRuleSet);
  const adminApp = createAdminApp(state, metrics, () => watcher.lastError);

  const proxyServer = http.createServer({ keepAliveTimeout: 65_000, requestTimeout: 300_000 }, proxyApp);
  // Past maxHeadersCount (default 2000) Node drops header lines silently: the gateway would negotiate
  // and forward on fewer headers than were sent. The head stays bounded by Node's header-size limit.
  proxyServer.maxHeadersCount = 0;
  const adminServer = http.createServer(adminApp);
  const sockets = trackSockets(proxyServer);
  await listen(proxyServer, config.listen, '--listen');
  try {
    await listen(adminServer, config.adminListen, '--admin-listen');
  } catch (err) {
    proxyServer.close();
    throw err;
  }
  if (config.watchRules) watcher.watch();

  const discovery = new AbortController();
  const ready = config.upstreamMaxVersion
    ? Promise.resolve(setUpstream(microversion(2, 1), config.upstreamMaxVersion))
    : discoverUpstreamVersions(
        upstreamUrl, config.prefix, { initialDelayMs: 250, maxDelayMs: 10_000 },
        (err, delay) => logger.warn({ err: err.message, retryInMs: delay }, 'upstream version discovery failed; retrying'),
        discovery.signal,
      ).then((found) => {
        if (found) setUpstream(found.min, found.max);
      });

  const proxyUrl = urlOf(proxyServer);
  const adminUrl = urlOf(adminServer);
  logger.info({ proxyUrl, adminUrl, upstream: upstreamUrl.origin, prefix: config.prefix, rules: state.ruleSet.rules.length }, 'gateway listening');

  return {
    proxyUrl, adminUrl, state, metrics, ready,
    reloadRules: (reason) => watcher.reload(reason),
    async close(deadlineMs = config.shutdownTimeoutMs) {
      discovery.abort();
      watcher.close();
      await drain(proxyServer, sockets, deadlineMs);
      forwarder.close();
      await new Promise<void>((resolve) => adminServer.close(() => resolve()));
      adminServer.closeAllConnections();
    },
  };
}

function createAdminApp(state: GatewayState, metrics: GatewayMetrics, lastReloadError: () => string | undefined) {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', (_req, res) => {
    const ready = state.upstream !== undefined && state.advertised !== undefined;
    res.status(ready ? 200 : 503).json({
      status: ready ? 'ready' : 'waiting for the upstream maximum microversion',
      upstreamMaxVersion: state.upstream?.max.text ?? null,
      advertisedVersions: state.advertised ? { min: state.advertised.min.text, max: state.advertised.max.text } : null,
      rules: state.ruleSet.rules.length,
      ruleSetHash: state.ruleSet.hash,
      lastReloadError: lastReloadError() ?? null,
    });
  });
  app.get('/metrics', async (_req, res) => {
    res.set('Content-Type', metrics.registry.contentType);
    res.send(await metrics.registry.metrics());
  });
  return app;
}

function listen(server: Server, at: HostPort, flag: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const fail = (err: NodeJS.ErrnoException) => reject(new StartupError(`${flag}: cannot listen on ${at.host}:${at.port}: ${err.code ?? err.message}`));
    server.once('error', fail);
    server.listen(at.port, at.host, () => {
      server.off('error', fail);
      resolve();
    });
  });
}

function urlOf(server: Server): string {
  const a = server.address() as AddressInfo;
  const host = a.family === 'IPv6' ? `[${a.address}]` : a.address;
  return `http://${host}:${a.port}`;
}

function trackSockets(server: Server): Set<Socket> {
  const sockets = new Set<Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  return sockets;
}

/** Graceful stop: no new connections, idle keep-alives closed, in-flight requests get until the deadline. */
async function drain(server: Server, sockets: Set<Socket>, deadlineMs: number): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const idleSweep = setInterval(() => server.closeIdleConnections(), 100);
  const deadline = new Promise<void>((resolve) => setTimeout(resolve, deadlineMs).unref());
  await Promise.race([closed, deadline]);
  clearInterval(idleSweep);
  server.closeAllConnections();
  for (const s of sockets) s.destroy();
  await closed;
}
