/**
 * The bundled legacy compute simulator: a Newton-era Nova (maximum microversion 2.38 by
 * default) on one port and a minimal Glance v2 on another, sharing one image store.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createComputeApp } from './compute';
import { resolveConfig, type SimulatorConfig, type SimulatorOptions } from './config';
import { createGlanceApp } from './glance';
import type { LimitsKeyOrder } from './limits';
import { faultReply, send, type Reply } from './reply';
import { readCall, type IncomingCall } from './request';
import { SimulatorState } from './state';

export type { SimulatorOptions, QuotaLimits } from './config';
export type { ImageRecord, ServerRecord, ImageSeed, ServerSeed } from './state';
export { SimulatorState, ImageProperties, DEFAULT_IMAGE_ID, DEFAULT_SERVER_ID } from './state';

/** One request as it reached a simulated service. */
export interface RecordedRequest {
  readonly method: string;
  /** The request target exactly as received (path and query, undecoded). */
  readonly target: string;
  readonly headers: IncomingHttpHeaders;
  /** Header names and values as received, alternating. */
  readonly rawHeaders: readonly string[];
  readonly body: Buffer;
  /** Status of the answer given. */
  status?: number;
}

export interface Simulator {
  /** Compute API origin, e.g. http://127.0.0.1:41234 (the API is under /v2.1 and /v2). */
  readonly computeUrl: string;
  /** Image service origin, e.g. http://127.0.0.1:41235 (the API is under /v2). */
  readonly imageUrl: string;
  readonly config: SimulatorConfig;
  /** Images and servers; seed, inspect or reset it between tests. */
  readonly state: SimulatorState;
  /** Every request the compute API received, in order (empty when recordRequests is off). */
  readonly requests: RecordedRequest[];
  /** Every request the image service received, in order (empty when recordRequests is off). */
  readonly imageRequests: RecordedRequest[];
  /** Back to the seeded state and empty request logs. */
  reset(): void;
  close(): Promise<void>;
}

export interface StartSimulatorOptions extends SimulatorOptions {
  /** Key order of GET /limits' "absolute": Nova's wire order (default) or the api_samples order. */
  limitsKeyOrder?: LimitsKeyOrder;
}

export async function startSimulator(options: StartSimulatorOptions = {}): Promise<Simulator> {
  const config = resolveConfig(options);
  const state = new SimulatorState();
  const requests: RecordedRequest[] = [];
  const imageRequests: RecordedRequest[] = [];
  let imageUrl = '';

  const computeApp = createComputeApp({ config, state, glanceUrl: () => imageUrl, limitsOrder: options.limitsKeyOrder });
  const glanceApp = createGlanceApp(config, state);

  const record = (log: RecordedRequest[]) => (config.recordRequests ? log : undefined);
  const compute = createServer(handler(computeApp, record(requests), config.log ? 'compute' : undefined));
  const glance = createServer(handler(glanceApp, record(imageRequests), config.log ? 'image' : undefined));
  try {
    await listen(compute, config.host, config.port);
    await listen(glance, config.host, config.imagePort);
  } catch (e) {
    await Promise.all([close(compute), close(glance)]);
    throw e;
  }
  const computeUrl = origin(config.host, compute);
  imageUrl = origin(config.host, glance);

  return {
    computeUrl,
    imageUrl,
    config,
    state,
    requests,
    imageRequests,
    reset() {
      state.reset();
      requests.length = 0;
      imageRequests.length = 0;
    },
    close: () => Promise.all([close(compute), close(glance)]).then(() => undefined),
  };
}

function handler(app: (call: IncomingCall) => Promise<Reply>, log: RecordedRequest[] | undefined, logName: string | undefined) {
  return (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse): void => {
    void (async () => {
      let entry: RecordedRequest | undefined;
      let r: Reply;
      try {
        const call = await readCall(req);
        entry = { method: call.method, target: call.target, headers: call.headers, rawHeaders: call.rawHeaders, body: call.body };
        log?.push(entry);
        r = await app(call);
      } catch {
        r = faultReply(500);
      }
      if (entry) entry.status = r.status;
      if (logName) process.stderr.write(`[simulator ${logName}] ${req.method} ${req.url} -> ${r.status}\n`);
      if (!res.destroyed) send(res, r);
    })();
  };
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

function origin(host: string, server: Server): string {
  const { port } = server.address() as AddressInfo;
  const h = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return `http://${h}:${port}`;
}
