/**
 * Issue "Hardening", part 1: spellings of the blocked image-metadata routes (Envoy CVE-2019-9901
 * and CVE-2021-29492, Istio CVE-2021-31920, APISIX CVE-2021-43557, Traefik CVE-2025-32431 and
 * CVE-2025-66490: a rule matched one spelling while the backend routed another).
 *
 * Every spelling goes over a raw socket. At 2.39 and `latest` the gateway must answer Nova's 404
 * itself or refuse with 400; whatever reaches the recording upstream (which would answer 200 with a
 * marker for anything) must not be image metadata under any reading in support/novaView.ts. At
 * 2.38 the same spellings are forwarded in canonical form or refused with 400, never a gateway 404.
 */
import { startTestGateway } from '../support/gateway';
import { startTestUpstream, type TestUpstream } from '../support/recordingUpstream';
import type { RunningGateway } from '../../gateway/server';
import { outsidePrefixCorpus, productCorpus, specialCorpus, type CorpusEntry } from './support/pathCorpus';
import {
  MARKER, runCorpus, checkForwarded, checkGatewayNotFound, checkNoImageMetadataReached, checkNodeRefused, checkNotGateway404,
  checkOutsidePrefix, checkRefused, type Outcome,
} from './support/corpusRun';

const PRODUCT = productCorpus();
const SPECIAL = specialCorpus();
const CORPUS = [...PRODUCT, ...SPECIAL];

async function markerUpstream(): Promise<TestUpstream> {
  return startTestUpstream((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(MARKER) });
    res.end(MARKER);
  });
}

/** Per-entry checks for a version at or above 2.39. */
function checkAtOrAbove239(outcomes: readonly Outcome[], echo: string, prefixes: readonly string[]): string[] {
  return outcomes.flatMap((o) => [
    ...(o.entry.expect === 'metadata' ? checkGatewayNotFound(o, echo) : []),
    ...(o.entry.expect === 'refused' ? checkRefused(o) : []),
    ...(o.entry.expect === 'node-refused' ? checkNodeRefused(o) : []),
    ...(o.entry.expect === 'other' ? checkForwarded(o) : []),
    ...(o.entry.expect === 'outside-prefix' ? checkOutsidePrefix(o) : []),
    ...checkNoImageMetadataReached(o, prefixes),
  ]);
}

/** Per-entry checks at 2.38: forwarded canonically or refused, never the gateway's 404. */
function checkAt238(outcomes: readonly Outcome[]): string[] {
  return outcomes.flatMap((o) => [
    ...(o.entry.expect === 'metadata' || o.entry.expect === 'other' ? checkForwarded(o) : []),
    ...(o.entry.expect === 'refused' ? checkRefused(o) : []),
    ...(o.entry.expect === 'node-refused' ? checkNodeRefused(o) : []),
    ...(o.entry.expect === 'outside-prefix' ? checkOutsidePrefix(o) : checkNotGateway404(o)),
  ]);
}

const count = (entries: readonly CorpusEntry[], e: CorpusEntry['expect']) => entries.filter((x) => x.expect === e).length;

describe('path corpus: the corpus itself', () => {
  test('is large and systematic: a cartesian product plus hand-picked cases', () => {
    expect(PRODUCT.length).toBe(2 * 10 * 3 * 6 * 4);
    expect(CORPUS.length).toBeGreaterThanOrEqual(150);
    expect(new Set(CORPUS.map((e) => `${e.method} ${e.target}`)).size).toBe(CORPUS.length);
    expect(count(CORPUS, 'refused')).toBeGreaterThanOrEqual(30);
    expect(count(CORPUS, 'other')).toBeGreaterThanOrEqual(15);
  });
});

describe('path corpus without a prefix', () => {
  let upstream: TestUpstream;
  let gw: RunningGateway;
  beforeAll(async () => {
    upstream = await markerUpstream();
    gw = await startTestGateway({ upstream: upstream.url });
  });
  afterAll(async () => {
    await gw.close(1000);
    await upstream.close();
  });

  test.each([
    ['2.39', '2.39'],
    ['latest', '2.39'],
  ])('at %s: Nova\'s 404 from the gateway or a 400; nothing image-metadata reaches the upstream', async (version, echo) => {
    const outcomes = await runCorpus(gw.proxyUrl, upstream, CORPUS, version);
    expect(checkAtOrAbove239(outcomes, echo, [])).toEqual([]);
    const blocked = outcomes.filter((o) => o.answer.kind === 'answer' && o.answer.status === 404).length;
    expect(blocked).toBe(count(CORPUS, 'metadata'));
  });

  test('at 2.38: forwarded in canonical form or refused with 400, never a gateway 404', async () => {
    const outcomes = await runCorpus(gw.proxyUrl, upstream, CORPUS, '2.38');
    expect(checkAt238(outcomes)).toEqual([]);
  });

  test('the gateway still answers normally afterwards', async () => {
    const res = await fetch(`${gw.proxyUrl}/v2.1/limits`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(MARKER);
    expect((await fetch(`${gw.adminUrl}/healthz`)).status).toBe(200);
  });
});

describe('path corpus with --prefix /compute', () => {
  const PREFIX = '/compute';
  const PREFIXED = [
    ...productCorpus(PREFIX).filter((_, i) => i % 2 === 0),
    ...productCorpus(`/%63ompute`).filter((_, i) => i % 12 === 1).map((e) => ({ ...e, id: e.id + 50_000, canonical: e.canonical!.replace('/%63ompute', PREFIX) })),
    ...specialCorpus(PREFIX),
    ...outsidePrefixCorpus(PREFIX),
  ];
  let upstream: TestUpstream;
  let gw: RunningGateway;
  beforeAll(async () => {
    upstream = await markerUpstream();
    gw = await startTestGateway({ upstream: upstream.url, flags: { prefix: PREFIX } });
  });
  afterAll(async () => {
    await gw.close(1000);
    await upstream.close();
  });

  test('at 2.39: Nova\'s 404 or a 400 inside the prefix, the router\'s 404 outside it', async () => {
    expect(PREFIXED.length).toBeGreaterThanOrEqual(150);
    const outcomes = await runCorpus(gw.proxyUrl, upstream, PREFIXED, '2.39');
    expect(checkAtOrAbove239(outcomes, '2.39', [PREFIX])).toEqual([]);
  });

  test('at 2.38: forwarded in canonical form with the prefix, or refused', async () => {
    const outcomes = await runCorpus(gw.proxyUrl, upstream, PREFIXED, '2.38');
    expect(checkAt238(outcomes)).toEqual([]);
  });
});
