import http, { type IncomingMessage, type ServerResponse, type ClientRequest } from 'node:http';
import https from 'node:https';
import { createProxyMiddleware, type RequestHandler } from 'http-proxy-middleware';
import { contextOf } from './context';

export interface ForwardHooks {
  /** Upstream answer headers arrived: the hook writes the answer (streamed or rewritten). */
  onAnswer(proxyRes: IncomingMessage, req: IncomingMessage, res: ServerResponse): void;
  onError(err: NodeJS.ErrnoException, req: IncomingMessage, res: ServerResponse): void;
}

export interface Forwarder {
  forward(req: IncomingMessage, res: ServerResponse): void;
  close(): void;
}

/**
 * http-proxy-middleware over a keep-alive pool. Default plugins are ejected and answers are
 * self-handled: the gateway owns errors, logging and every header it sends back.
 */
export function createForwarder(upstream: URL, timeoutMs: number, hooks: ForwardHooks): Forwarder {
  const agent =
    upstream.protocol === 'https:'
      ? new https.Agent({ keepAlive: true, maxFreeSockets: 256 })
      : new http.Agent({ keepAlive: true, maxFreeSockets: 256 });

  const pinRequest = (proxyReq: ClientRequest, req: IncomingMessage, res: ServerResponse) => {
    const ctx = contextOf(req);
    // http-proxy joins target and path with its own rules; the upstream gets the canonical target, byte for byte.
    proxyReq.path = ctx.forwardTarget;
    ctx.upstreamStartedAt = performance.now();
    proxyReq.setTimeout(timeoutMs, () => {
      ctx.upstreamTimedOut = true;
      proxyReq.destroy(Object.assign(new Error('upstream timed out'), { code: 'ETIMEDOUT' }));
    });
    res.once('close', () => {
      if (!res.writableFinished) proxyReq.destroy();
    });
    if (ctx.forwardBody) {
      proxyReq.setHeader('Content-Length', ctx.forwardBody.length);
      proxyReq.removeHeader('Transfer-Encoding');
      proxyReq.write(ctx.forwardBody);
    }
  };

  const proxy: RequestHandler = createProxyMiddleware({
    // An object, not a URL string: http-proxy would parse a string again for every request.
    target: {
      protocol: upstream.protocol,
      host: upstream.hostname,
      hostname: upstream.hostname.replace(/^\[|\]$/g, ''),
      port: upstream.port || (upstream.protocol === 'https:' ? '443' : '80'),
      path: '',
    },
    agent,
    ejectPlugins: true,
    xfwd: true,
    selfHandleResponse: true,
    plugins: [
      (proxyServer) => {
        proxyServer.on('proxyReq', pinRequest);
        proxyServer.on('proxyRes', hooks.onAnswer);
        proxyServer.on('error', (err, req, res) => hooks.onError(err as NodeJS.ErrnoException, req, res as ServerResponse));
        proxyServer.on('econnreset', () => undefined);
      },
    ],
  });

  return {
    forward(req, res) {
      void proxy(req, res, (err?: unknown) => {
        if (err) hooks.onError(err as NodeJS.ErrnoException, req, res);
      });
    },
    close() {
      agent.destroy();
    },
  };
}
