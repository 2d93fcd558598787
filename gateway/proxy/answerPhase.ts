import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { VersionHeaderSet } from '../microversion/responseHeaders';
import { statusClass, type GatewayMetrics, type UpstreamErrorKind } from '../observe/metrics';
import type { GatewayAnswers } from './answer';
import { collect, decodeContent } from './body';
import { contextOf, needsBufferedAnswer, type RequestContext } from './context';
import type { ForwardHooks } from './forward';
import { isJson } from './jsonText';
import { pump } from './pump';
import {
  flatten, headerLines, headerValue, rewriteVersionHeaders, setHeaderLine, stripVersionHeaders, withoutHeaders, type HeaderLines,
} from './answerHeaders';

export interface AnswerPhaseDeps {
  readonly versionHeaderSet: VersionHeaderSet;
  readonly answers: GatewayAnswers;
  readonly metrics: GatewayMetrics;
  readonly logger: Logger;
  readonly rewriteLimitBytes: number;
}

/** The upstream's answer, back to the client: headers fixed, streamed, or buffered and rewritten. */
export function createAnswerPhase(deps: AnswerPhaseDeps): ForwardHooks {
  const { metrics } = deps;

  function onAnswer(proxyRes: IncomingMessage, req: IncomingMessage, res: ServerResponse): void {
    const ctx = contextOf(req);
    const status = proxyRes.statusCode ?? 502;
    ctx.upstreamAnsweredAt = performance.now();
    if (ctx.upstreamStartedAt !== undefined) {
      metrics.upstreamDurationBy(statusClass(status)).observe((ctx.upstreamAnsweredAt - ctx.upstreamStartedAt) / 1000);
    }
    const lines = answerHeaderLines(proxyRes, ctx);
    ctx.upstreamRequestId = headerValue(lines, 'x-openstack-request-id');
    const rewrite = needsBufferedAnswer(ctx) && status >= 200 && status < 300 && req.method !== 'HEAD';
    if (!rewrite) return stream(proxyRes, res, status, lines);
    void bufferAndRewrite(proxyRes, res, ctx, status, lines);
  }

  function answerHeaderLines(proxyRes: IncomingMessage, ctx: RequestContext): HeaderLines {
    let lines = headerLines(proxyRes);
    if (ctx.response.stripVersionHeaders) lines = stripVersionHeaders(lines, deps.versionHeaderSet);
    else if (ctx.response.rewriteVersionHeaders && ctx.negotiated) rewriteVersionHeaders(lines, deps.versionHeaderSet, ctx.negotiated.text);
    for (const [name, value] of Object.entries(ctx.response.addHeaders)) lines = setHeaderLine(lines, name, value);
    return lines;
  }

  function stream(proxyRes: IncomingMessage, res: ServerResponse, status: number, lines: HeaderLines, head?: Buffer[]): void {
    if (res.headersSent || res.destroyed) return void proxyRes.destroy();
    res.writeHead(status, proxyRes.statusMessage, flatten(lines));
    for (const chunk of head ?? []) res.write(chunk);
    pump(proxyRes, res);
  }

  async function bufferAndRewrite(
    proxyRes: IncomingMessage, res: ServerResponse, ctx: RequestContext, status: number, lines: HeaderLines,
  ): Promise<void> {
    const collected = await collect(proxyRes, deps.rewriteLimitBytes);
    if (collected.kind === 'failed') return failedWhileBuffering(res, ctx);
    if (collected.kind === 'over-cap') {
      metrics.rewritePassThroughs.inc({ reason: 'over-cap' });
      return stream(proxyRes, res, status, lines, collected.chunks);
    }
    const raw = collected.body;
    const fault = await ctx.response.afterSuccess?.({ status, headers: proxyRes.headers, body: raw });
    if (fault) {
      ctx.answeredBy = 'gateway';
      return deps.answers.faultBytes(res, fault.status, fault.body, ctx.negotiated?.text, ctx.response.addHeaders);
    }
    const rewritten = ctx.response.bodyEdits.length ? rewriteBody(raw, lines) : undefined;
    if (!rewritten) return send(res, status, proxyRes.statusMessage, lines, raw);
    send(res, status, proxyRes.statusMessage, rewritten.lines, rewritten.body);

    function rewriteBody(body: Buffer, headers: HeaderLines): { body: Buffer; lines: HeaderLines } | undefined {
      const decoded = decodeContent(body, headerValue(headers, 'content-encoding'), deps.rewriteLimitBytes);
      if (!decoded) return metrics.rewritePassThroughs.inc({ reason: 'decode-failure' }), undefined;
      const text = decoded.toString('utf8');
      if (!isJson(text)) return metrics.rewritePassThroughs.inc({ reason: 'not-json' }), undefined;
      let edited = text;
      for (const edit of ctx.response.bodyEdits) edited = edit(edited);
      if (edited === text && decoded === body) return undefined;
      const out = Buffer.from(edited, 'utf8');
      let outLines = withoutHeaders(headers, ['content-encoding', 'transfer-encoding', 'content-length', 'etag']);
      outLines = setHeaderLine(outLines, 'Content-Length', String(out.length));
      return { body: out, lines: outLines };
    }
  }

  /**
   * The upstream's answer broke off (reset, early close, timeout) while it was buffered for a rule:
   * nothing has reached the client yet, so it gets Nova's 502 (504 after the upstream timeout), not
   * a cut connection. Nothing to do when onError already answered or the client is gone.
   */
  function failedWhileBuffering(res: ServerResponse, ctx: RequestContext): void {
    if (res.writableEnded || res.destroyed) return;
    if (res.headersSent) return void res.destroy();
    ctx.answeredBy = 'gateway';
    deps.answers.fault(res, ctx.upstreamTimedOut ? 504 : 502, undefined, ctx.negotiated?.text);
  }

  function send(res: ServerResponse, status: number, message: string | undefined, lines: HeaderLines, body: Buffer): void {
    if (res.headersSent || res.destroyed) return;
    res.writeHead(status, message, flatten(lines));
    res.end(body);
  }

  function onError(err: NodeJS.ErrnoException, req: IncomingMessage, res: ServerResponse): void {
    const ctx = safeContext(req);
    const kind = errorKind(err, ctx);
    metrics.upstreamErrors.inc({ kind });
    if (res.destroyed || res.writableEnded || req.socket.destroyed) return;
    if (res.headersSent) return void res.destroy();
    deps.logger.warn({ err: err.message, code: err.code, kind }, 'upstream error');
    const status = kind === 'timeout' ? 504 : 502;
    if (ctx) ctx.answeredBy = 'gateway';
    deps.answers.fault(res, status, undefined, ctx?.negotiated?.text);
  }

  return { onAnswer, onError };
}

function safeContext(req: IncomingMessage): RequestContext | undefined {
  try {
    return contextOf(req);
  } catch {
    return undefined;
  }
}

function errorKind(err: NodeJS.ErrnoException, ctx: RequestContext | undefined): UpstreamErrorKind {
  if (ctx?.upstreamTimedOut || err.code === 'ETIMEDOUT') return 'timeout';
  if (err.code === 'ECONNREFUSED') return 'refused';
  if (err.code === 'ECONNRESET' || err.code === 'EPIPE' || err.message === 'socket hang up') return 'reset';
  if (err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN') return 'dns';
  return 'other';
}
