import type { TestUpstream, ReceivedRequest } from '../../support/recordingUpstream';
import type { CorpusEntry } from './pathCorpus';
import { exchange, pooled, request, type Exchange } from '../../support/sockets';
import { servesImageMetadata } from './novaView';

export const NOT_FOUND_BODY = '{"itemNotFound": {"code": 404, "message": "The resource could not be found."}}';
export const MARKER = '{"marker": "the upstream answered"}';
export const CORPUS_ID = 'x-corpus-id';

export interface Outcome {
  readonly entry: CorpusEntry;
  readonly answer: Exchange;
  /** What the upstream received for this entry (matched by the X-Corpus-Id header). */
  readonly received: readonly ReceivedRequest[];
}

/** Sends every entry over its own raw connection, asking for `version` in one of the two header forms. */
export async function runCorpus(
  proxyUrl: string,
  upstream: TestUpstream,
  entries: readonly CorpusEntry[],
  version: string | undefined,
): Promise<Outcome[]> {
  const runTag = `${Date.now()}-${Math.random().toString(36).slice(2)}`;
  const answers = await pooled(entries, 12, (e) => {
    const headers: [string, string][] = [[CORPUS_ID, `${runTag}-${e.id}`]];
    if (version !== undefined) {
      headers.push(e.id % 2 === 0 ? ['OpenStack-API-Version', `compute ${version}`] : ['X-OpenStack-Nova-API-Version', version]);
    }
    let body: string | undefined;
    if (e.method === 'POST' || e.method === 'PUT') {
      headers.push(['Content-Type', 'application/json']);
      body = '{"metadata": {"kernel_id": "x"}}';
    }
    return exchange(proxyUrl, request(e.method, e.target, headers, body), { head: e.method === 'HEAD' });
  });
  const byTag = new Map<string, ReceivedRequest[]>();
  for (const r of upstream.received) {
    const tag = r.headers[CORPUS_ID];
    if (typeof tag !== 'string' || !tag.startsWith(runTag)) continue;
    const list = byTag.get(tag) ?? [];
    list.push(r);
    byTag.set(tag, list);
  }
  return entries.map((entry, i) => ({ entry, answer: answers[i], received: byTag.get(`${runTag}-${entry.id}`) ?? [] }));
}

const describeAnswer = (a: Exchange) =>
  a.kind === 'answer' ? `${a.status} ${a.body.toString('latin1').slice(0, 160)}` : `${a.kind}: ${JSON.stringify(a.received.slice(0, 160))}`;

const label = (o: Outcome) => `#${o.entry.id} ${o.entry.name} [${o.entry.method} ${short(o.entry.target)}]`;
const short = (s: string) => (s.length > 140 ? `${s.slice(0, 100)}…(${s.length} chars)` : s);

/** The gateway answered Nova's 404 itself, with the version headers of `echo`, and forwarded nothing. */
export function checkGatewayNotFound(o: Outcome, echo: string): string[] {
  const a = o.answer;
  const bad: string[] = [];
  if (a.kind !== 'answer' || a.status !== 404 || a.body.toString() !== NOT_FOUND_BODY) bad.push(`expected Nova's 404, got ${describeAnswer(a)}`);
  else {
    if (a.header('Content-Type') !== 'application/json; charset=UTF-8') bad.push(`content type ${a.header('Content-Type')}`);
    if (a.header('OpenStack-API-Version') !== `compute ${echo}`) bad.push(`OpenStack-API-Version ${a.header('OpenStack-API-Version')}`);
    if (a.header('X-OpenStack-Nova-API-Version') !== echo) bad.push(`X-OpenStack-Nova-API-Version ${a.header('X-OpenStack-Nova-API-Version')}`);
    if (a.headers('Vary').join('|') !== 'OpenStack-API-Version|X-OpenStack-Nova-API-Version') bad.push(`Vary ${a.headers('Vary').join('|')}`);
  }
  if (o.received.length) bad.push(`the upstream received ${o.received.map((r) => r.target).join(', ')}`);
  return bad.map((b) => `${label(o)}: ${b}`);
}

/** The gateway's own 400 for an unusable target: exact message, no version headers, nothing forwarded. */
export function checkRefused(o: Outcome): string[] {
  const a = o.answer;
  const bad: string[] = [];
  const expected = `{"badRequest": {"code": 400, "message": ${JSON.stringify(o.entry.message)}}}`;
  if (a.kind !== 'answer' || a.status !== 400 || a.body.toString() !== expected) bad.push(`expected 400 ${expected}, got ${describeAnswer(a)}`);
  else if (a.header('OpenStack-API-Version') !== undefined) bad.push('a refused target carries version headers');
  if (o.received.length) bad.push(`the upstream received ${o.received.map((r) => r.target).join(', ')}`);
  return bad.map((b) => `${label(o)}: ${b}`);
}

/** Node's parser refused the bytes before the gateway ran: bare 400/431, nothing forwarded. */
export function checkNodeRefused(o: Outcome): string[] {
  const a = o.answer;
  const bad: string[] = [];
  if (a.kind !== 'answer' || a.status !== o.entry.nodeStatus || a.body.length !== 0) bad.push(`expected Node's bare ${o.entry.nodeStatus}, got ${describeAnswer(a)}`);
  if (o.received.length) bad.push(`the upstream received ${o.received.map((r) => r.target).join(', ')}`);
  return bad.map((b) => `${label(o)}: ${b}`);
}

/** Forwarded once, byte for byte in canonical form, and the upstream's answer passed back. */
export function checkForwarded(o: Outcome): string[] {
  const a = o.answer;
  const bad: string[] = [];
  const head = o.entry.method === 'HEAD';
  if (a.kind !== 'answer' || a.status !== 200 || a.body.toString() !== (head ? '' : MARKER)) bad.push(`expected the upstream's 200, got ${describeAnswer(a)}`);
  if (o.received.length !== 1) bad.push(`the upstream received ${o.received.length} requests`);
  else {
    const r = o.received[0];
    if (r.target !== o.entry.canonical) bad.push(`forwarded ${short(r.target)}, expected ${short(o.entry.canonical ?? '?')}`);
    if (r.method !== o.entry.method) bad.push(`forwarded method ${r.method}`);
  }
  return bad.map((b) => `${label(o)}: ${b}`);
}

/** Nova's plain router 404 from the gateway for a path outside --prefix. */
export function checkOutsidePrefix(o: Outcome): string[] {
  const a = o.answer;
  const bad: string[] = [];
  if (a.kind !== 'answer' || a.status !== 404 || !a.body.toString().startsWith('404 Not Found')) bad.push(`expected the router's plain 404, got ${describeAnswer(a)}`);
  if (o.received.length) bad.push(`the upstream received ${o.received.map((r) => r.target).join(', ')}`);
  return bad.map((b) => `${label(o)}: ${b}`);
}

/** Whatever reached the upstream is not image metadata under any reading a Nova router could make. */
export function checkNoImageMetadataReached(o: Outcome, prefixes: readonly string[]): string[] {
  const bad: string[] = [];
  for (const r of o.received) {
    const reading = servesImageMetadata(r.method, r.target, prefixes);
    if (reading) bad.push(`${label(o)}: the upstream received ${r.method} ${short(r.target)}, image metadata when read as ${reading.how} → ${short(reading.path)}`);
  }
  return bad;
}

/** Never the gateway's own 404 (JSON fault or router text) — for requests below 2.39. */
export function checkNotGateway404(o: Outcome): string[] {
  const a = o.answer;
  if (a.kind === 'answer' && a.status === 404 && o.received.length === 0) return [`${label(o)}: answered 404 by the gateway: ${describeAnswer(a)}`];
  return [];
}
