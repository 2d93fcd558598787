import http, { type IncomingMessage, type Server, type ServerResponse } from 'node:http';
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
import { releaseLoadGarbage } from './rules/releaseLoadGarbage';
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
import { Roster } from './http/roster';
import { RulesWatcher, type ReloadResult, type RulesWatcherOptions } from './rulesWatcher';

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
  /** Rules directory watch: quiet time before a reload (default 200 ms), and the longest wait (2 s). */
  readonly rulesWatch?: RulesWatcherOptions;
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

  /**
   * The swap: one assignment. A request captures state.ruleSet in its context when it
   * starts (newContext), so requests in flight finish on the set they started with.
   */
  const setRuleSet = (ruleSet: RuleSet) => {
    state.ruleSet = ruleSet;
    setRuleSetMetrics(metrics, ruleSet, config.shadow);
    recomputeAdvertised();
    releaseLoadGarbage();
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
  metrics.lastReloadSuccess.set(Date.now() / 1000);
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

  const watcher = new RulesWatcher(config.rulesDir, logger, metrics, () => state.ruleSet, setRuleSet, options.rulesWatch);
  const lifecycle = { shuttingDown: false };
  const adminApp = createAdminApp(state, metrics, () => watcher.lastError, lifecycle);

  // Express with one shared fallback: without it app.handle builds a finalhandler per request.
  const unhandled = (err?: unknown) => logger.error({ err: String(err) }, 'request left unhandled by the proxy app');
  const proxyServer = http.createServer(
    { keepAliveTimeout: 65_000, requestTimeout: 300_000, ...expressNativeMessages(proxyApp) },
    (req, res) => proxyApp(req as express.Request, res as express.Response, unhandled),
  );
  // Past maxHeadersCount (default 2000) Node drops header lines silently: the gateway would negotiate
  // and forward on fewer headers than were sent. The head stays bounded by Node's header-size limit.
  proxyServer.maxHeadersCount = 0;
  const adminServer = http.createServer(adminApp);
  const connections = trackConnections(proxyServer);
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
  logger.info(
    {
      proxyUrl, adminUrl, upstream: upstreamUrl.origin, prefix: config.prefix, rulesDir: config.rulesDir,
      rules: state.ruleSet.rules.length, ruleSetHash: state.ruleSet.hash, shadow: config.shadow, watchRules: config.watchRules,
    },
    'gateway listening',
  );

  let closing: Promise<void> | undefined;
  return {
    proxyUrl, adminUrl, state, metrics, ready,
    reloadRules: (reason) => watcher.reload(reason),
    close(deadlineMs = config.shutdownTimeoutMs) {
      closing ??= (async () => {
        lifecycle.shuttingDown = true;
        discovery.abort();
        watcher.close();
        const started = performance.now();
        logger.info({ inFlight: connections.inFlight.size, connections: connections.sockets.size, deadlineMs }, 'draining: no new connections, finishing in-flight requests');
        const { abandoned } = await drain(proxyServer, connections, deadlineMs);
        forwarder.close();
        const adminClosed = new Promise<void>((resolve) => adminServer.close(() => resolve()));
        adminServer.closeAllConnections();
        await adminClosed;
        const drainedMs = Math.round(performance.now() - started);
        if (abandoned) logger.warn({ abandoned, drainedMs }, 'drained: requests still in flight at the deadline were cut');
        else logger.info({ drainedMs }, 'drained: every in-flight request finished');
      })();
      return closing;
    },
  };
}

/** Rules by state as the pipeline treats them: under --shadow every enabled rule is a shadow rule. */
function setRuleSetMetrics(metrics: GatewayMetrics, ruleSet: RuleSet, shadowAll: boolean): void {
  const count = (pick: (r: RuleSet['rules'][number]) => boolean) => ruleSet.rules.filter(pick).length;
  metrics.rulesLoaded.set({ state: 'enforced' }, count((r) => r.enabled && !r.shadow && !shadowAll));
  metrics.rulesLoaded.set({ state: 'shadow' }, count((r) => r.enabled && (r.shadow || shadowAll)));
  metrics.rulesLoaded.set({ state: 'disabled' }, count((r) => !r.enabled));
  metrics.ruleSetInfo.reset();
  metrics.ruleSetInfo.set({ hash: ruleSet.hash }, 1);
}

/**
 * /healthz: the process serves (liveness). /readyz: 200 once the upstream maximum is known,
 * 503 before and while shutting down (readiness), with the active rule set's hash and the
 * last refused reload's errors. /metrics: Prometheus text format.
 */
function createAdminApp(
  state: GatewayState, metrics: GatewayMetrics, lastReloadError: () => string | undefined, lifecycle: { readonly shuttingDown: boolean },
) {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', (_req, res) => {
    const known = state.upstream !== undefined && state.advertised !== undefined;
    const ready = known && !lifecycle.shuttingDown;
    res.status(ready ? 200 : 503).json({
      status: lifecycle.shuttingDown ? 'shutting down' : ready ? 'ready' : 'waiting for the upstream maximum microversion',
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

/**
 * Request and response classes whose prototypes already are Express's. Express sets them on
 * every request (Object.setPrototypeOf); when they are already in place that is a no-op, and
 * the objects keep the shapes V8 optimised for instead of turning megamorphic. They are classes
 * extending Node's so that V8 sizes their instances from Node's constructors: a plain function
 * calling Node's constructor on `this` left too little room, and every request and response was
 * in dictionary mode by the time it was answered.
 */
function expressNativeMessages(app: express.Express) {
  class ExpressRequest extends http.IncomingMessage {}
  class ExpressResponse<R extends http.IncomingMessage = http.IncomingMessage> extends http.ServerResponse<R> {}
  app.request = adoptAsPrototype(ExpressRequest.prototype, app.request);
  app.response = adoptAsPrototype(ExpressResponse.prototype, app.response);
  return { IncomingMessage: ExpressRequest, ServerResponse: ExpressResponse };
}

/** Gives a class's prototype the place and own properties of one of Express's per-app prototypes. */
function adoptAsPrototype<T extends object>(classPrototype: object, expressPrototype: T): T {
  Object.setPrototypeOf(classPrototype, Object.getPrototypeOf(expressPrototype));
  Object.defineProperties(classPrototype, Object.getOwnPropertyDescriptors(expressPrototype));
  return classPrototype as T;
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

interface Connections {
  readonly sockets: Roster<Socket>;
  /** Answers not yet finished or abandoned. */
  readonly inFlight: Roster<ServerResponse>;
  draining: boolean;
}

function trackConnections(server: Server): Connections {
  const c: Connections = { sockets: new Roster(), inFlight: new Roster(), draining: false };
  server.on('connection', (s: Socket) => {
    s.once('close', c.sockets.join(s));
  });
  // Before the app's own listener, so that even an answer written synchronously sees the flag.
  server.prependListener('request', (_req: IncomingMessage, res: ServerResponse) => {
    if (c.draining) res.shouldKeepAlive = false;
    res.once('close', c.inFlight.join(res));
  });
  return c;
}

/**
 * Graceful stop: the listener closes (new connections are refused), idle keep-alive
 * connections close now, answers still in flight carry `Connection: close` and their
 * connection closes once they are sent; at the deadline whatever is left is cut.
 */
async function drain(server: Server, c: Connections, deadlineMs: number): Promise<{ abandoned: number }> {
  c.draining = true;
  for (const res of c.inFlight.members()) if (!res.headersSent) res.shouldKeepAlive = false;
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const idleSweep = setInterval(() => server.closeIdleConnections(), 100);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'deadline'>((resolve) => (timer = setTimeout(() => resolve('deadline'), deadlineMs)));
  const first = await Promise.race([closed.then(() => 'closed' as const), deadline]);
  clearTimeout(timer);
  clearInterval(idleSweep);
  const abandoned = first === 'deadline' ? c.inFlight.size : 0;
  server.closeAllConnections();
  for (const s of c.sockets.members()) s.destroy();
  await closed;
  return { abandoned };
}
