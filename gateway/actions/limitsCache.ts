import { createHash } from 'node:crypto';
import type { CompiledPointer } from '../rules/types';
import { resolvePointer } from '../rules/pointer';

export interface LimitsRequest {
  /** Path of the caller's limits document, e.g. "/compute/v2.1/c0ffee/limits". */
  readonly path: string;
  readonly token: string | undefined;
  readonly projectId: string | undefined;
  /** Version headers to send, as the caller's request was forwarded. */
  readonly versionHeaders: Record<string, string>;
}

/**
 * The upstream's GET /limits answer per caller, cached for a while. Keyed by the project in
 * the URL and a digest of the token, so one caller never sees another's limits.
 */
export class LimitsCache {
  private readonly entries = new Map<string, { expires: number; doc: Promise<unknown> }>();

  constructor(
    private readonly upstream: () => URL,
    private readonly ttlMs: number,
    private readonly timeoutMs: number,
  ) {}

  async limitAt(request: LimitsRequest, pointer: CompiledPointer): Promise<number | undefined> {
    const doc = await this.document(request);
    const node = resolvePointer(doc, pointer);
    return typeof node === 'number' && Number.isInteger(node) ? node : undefined;
  }

  private document(request: LimitsRequest): Promise<unknown> {
    const key = `${request.projectId ?? ''}|${createHash('sha256').update(request.token ?? '').digest('hex')}`;
    const now = Date.now();
    const hit = this.entries.get(key);
    if (hit && hit.expires > now) return hit.doc;
    const doc = this.fetchLimits(request);
    this.entries.set(key, { expires: now + this.ttlMs, doc });
    doc.catch(() => this.entries.delete(key));
    if (this.entries.size > 10_000) this.evictExpired(now);
    return doc;
  }

  private async fetchLimits(request: LimitsRequest): Promise<unknown> {
    const headers: Record<string, string> = { Accept: 'application/json', ...request.versionHeaders };
    if (request.token !== undefined) headers['X-Auth-Token'] = request.token;
    const res = await fetch(new URL(request.path, this.upstream()), { headers, signal: AbortSignal.timeout(this.timeoutMs) });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`upstream GET ${request.path} answered ${res.status}`);
    return JSON.parse(text);
  }

  private evictExpired(now: number): void {
    for (const [k, v] of this.entries) if (v.expires <= now) this.entries.delete(k);
  }
}
