/**
 * Issue "Hardening", part 2: version-header tricks over raw sockets, each answered as Nova would
 * (reference §1): last compute entry wins, across folded and repeated lines; the standard header
 * beats the legacy one even when malformed; malformed → 400 with the exact message and no version
 * headers; well-formed but out of range → 406 echoing the request; Latin-1 bytes read as a WSGI
 * server reads them (Python whitespace includes NBSP and NEL). Bytes Node refuses and heads over
 * its limit get Node's bare 400/431. Every group ends with an ordinary request and /healthz.
 *
 * The probe is GET /v2.1/images/{id}/metadata: at 2.39 the gateway answers Nova's 404 itself, below
 * it the request is forwarded with the negotiated version, so the outcome shows the version used.
 */
import { startTestGateway } from '../support/gateway';
import { startTestUpstream, novaLikeJson, type TestUpstream } from '../support/recordingUpstream';
import type { RunningGateway } from '../../gateway/server';
import { exchange, request, type Exchange } from '../support/sockets';
import { IMAGE_ID } from './support/pathCorpus';
import { MARKER, NOT_FOUND_BODY } from './support/corpusRun';

const PROBE = `/v2.1/images/${IMAGE_ID}/metadata`;
const STD = 'OpenStack-API-Version';
const LEG = 'X-OpenStack-Nova-API-Version';
const MAX = '2.39';

type Lines = readonly (readonly [string, string])[];

type Expect =
  /** Negotiated this version (>= 2.39: gateway 404; below: forwarded with it). */
  | { readonly version: string }
  /** 400 for this requested text (Latin-1), no version headers. */
  | { readonly malformed: string }
  /** 406 echoing this version. */
  | { readonly unsupported: string }
  /** Node's parser answered before the gateway ran. */
  | { readonly node: 400 | 431 };

interface HeaderCase {
  readonly name: string;
  readonly lines: Lines;
  readonly expect: Expect;
}

const fillers = (n: number, prefix = 'x-filler-'): [string, string][] => Array.from({ length: n }, (_, i) => [`${prefix}${i}`, 'v']);

const CASES: HeaderCase[] = [
  // Repeated header lines: Node folds them with ", " as a WSGI server folds with ",".
  { name: 'two standard lines, 2.39 last', lines: [[STD, 'compute 2.38'], [STD, 'compute 2.39']], expect: { version: '2.39' } },
  { name: 'two standard lines, 2.38 last', lines: [[STD, 'compute 2.39'], [STD, 'compute 2.38']], expect: { version: '2.38' } },
  { name: 'two legacy lines, 2.38 last', lines: [[LEG, '2.39'], [LEG, '2.38']], expect: { version: '2.38' } },
  { name: 'two legacy lines, 2.39 last', lines: [[LEG, '2.38'], [LEG, '2.39']], expect: { version: '2.39' } },
  { name: 'standard lines: compute then volume', lines: [[STD, 'compute 2.39'], [STD, 'volume 3.0']], expect: { version: '2.39' } },
  { name: 'standard lines: malformed first, valid last', lines: [[STD, 'compute 2.1.3'], [STD, 'compute 2.38']], expect: { version: '2.38' } },
  { name: 'standard lines: valid first, malformed last', lines: [[STD, 'compute 2.38'], [STD, 'compute 2.1.3']], expect: { malformed: '2.1.3' } },
  { name: 'legacy lines: malformed first, valid last', lines: [[LEG, 'abc'], [LEG, '2.38']], expect: { version: '2.38' } },
  { name: 'legacy lines: valid first, empty last', lines: [[LEG, '2.38'], [LEG, '']], expect: { malformed: '' } },
  { name: '100 standard lines alternating, 2.39 last', lines: Array.from({ length: 100 }, (_, i) => [STD, i % 2 ? 'compute 2.39' : 'compute 2.38'] as [string, string]), expect: { version: '2.39' } },
  // Comma-folded values.
  { name: 'folded: 2.38, 2.39', lines: [[STD, 'compute 2.38, compute 2.39']], expect: { version: '2.39' } },
  { name: 'folded: 2.39, 2.38', lines: [[STD, 'compute 2.39, compute 2.38']], expect: { version: '2.38' } },
  { name: 'folded: trailing comma', lines: [[STD, 'compute 2.39,']], expect: { version: '2.39' } },
  { name: 'folded: leading comma', lines: [[STD, ',compute 2.39']], expect: { version: '2.39' } },
  { name: 'folded: other services around', lines: [[STD, 'volume 3.0, compute 2.39, identity 3.2']], expect: { version: '2.39' } },
  { name: 'folded: last compute entry has no version', lines: [[STD, 'compute 2.39 , compute']], expect: { version: '2.39' } },
  { name: 'folded: no spaces', lines: [[STD, 'compute 2.38,compute 2.39']], expect: { version: '2.39' } },
  { name: 'folded legacy: 2.39, 2.38', lines: [[LEG, '2.39, 2.38']], expect: { version: '2.38' } },
  { name: 'folded legacy: 2.38,2.39', lines: [[LEG, '2.38,2.39']], expect: { version: '2.39' } },
  { name: 'folded legacy: trailing comma', lines: [[LEG, '2.39,']], expect: { malformed: '' } },
  // Both forms, conflicting: the standard form wins when it names compute.
  { name: 'standard 2.39 + legacy 2.38', lines: [[STD, 'compute 2.39'], [LEG, '2.38']], expect: { version: '2.39' } },
  { name: 'legacy 2.39 first + standard 2.38', lines: [[LEG, '2.39'], [STD, 'compute 2.38']], expect: { version: '2.38' } },
  { name: 'standard names another service + legacy 2.39', lines: [[STD, 'volume 3.0'], [LEG, '2.39']], expect: { version: '2.39' } },
  { name: 'standard compute without version + legacy 2.39', lines: [[STD, 'compute'], [LEG, '2.39']], expect: { version: '2.39' } },
  { name: 'standard malformed + legacy valid: standard wins', lines: [[STD, 'compute 2.1.3'], [LEG, '2.39']], expect: { malformed: '2.1.3' } },
  { name: 'standard latest + legacy 2.1', lines: [[STD, 'compute latest'], [LEG, '2.1']], expect: { version: MAX } },
  { name: 'standard Latest + legacy 2.38', lines: [[STD, 'compute Latest'], [LEG, '2.38']], expect: { malformed: 'Latest' } },
  { name: 'standard empty + legacy 2.39', lines: [[STD, ''], [LEG, '2.39']], expect: { version: '2.39' } },
  { name: 'standard out of range + legacy 2.38', lines: [[STD, 'compute 9.9'], [LEG, '2.38']], expect: { unsupported: '9.9' } },
  // Case and whitespace.
  { name: 'COMPUTE in capitals', lines: [[STD, 'COMPUTE 2.39']], expect: { version: '2.39' } },
  { name: 'header names in lower case', lines: [['openstack-api-version', 'compute 2.38']], expect: { version: '2.38' } },
  { name: 'legacy header name in capitals', lines: [['X-OPENSTACK-NOVA-API-VERSION', '2.39']], expect: { version: '2.39' } },
  { name: 'LATEST is malformed', lines: [[STD, 'compute LATEST']], expect: { malformed: 'LATEST' } },
  { name: 'runs of spaces', lines: [[STD, '   compute     2.38   ']], expect: { version: '2.38' } },
  { name: 'tab between service and version', lines: [[STD, 'compute\t2.39']], expect: { version: '2.39' } },
  // Empty values.
  { name: 'empty standard alone: default 2.1', lines: [[STD, '']], expect: { version: '2.1' } },
  { name: 'empty legacy alone: malformed empty string', lines: [[LEG, '']], expect: { malformed: '' } },
  { name: 'legacy of spaces only', lines: [[LEG, '    ']], expect: { malformed: '' } },
  { name: 'standard of one comma: default 2.1', lines: [[STD, ',']], expect: { version: '2.1' } },
  { name: 'standard "compute " without version: default 2.1', lines: [[STD, 'compute ']], expect: { version: '2.1' } },
  // Latin-1 bytes, read as Python reads a WSGI header (NBSP, NEL are whitespace to str.split()).
  { name: 'NBSP between service and version', lines: [[STD, 'compute\xa02.39']], expect: { version: '2.39' } },
  { name: 'NEL between service and version', lines: [[STD, 'compute\x852.39']], expect: { version: '2.39' } },
  { name: 'trailing NBSP', lines: [[STD, 'compute 2.39\xa0']], expect: { version: '2.39' } },
  { name: 'NBSP around the version', lines: [[STD, 'compute \xa0 2.38 \xa0']], expect: { version: '2.38' } },
  { name: 'Latin-1 é after the version', lines: [[STD, 'compute 2.39\xe9']], expect: { malformed: '2.39\xe9' } },
  { name: 'superscript two as major', lines: [[LEG, '\xb2.39']], expect: { malformed: '\xb2.39' } },
  { name: 'ÿ after a legacy version', lines: [[LEG, '2.39\xff']], expect: { malformed: '2.39\xff' } },
  { name: 'service name with ö is not compute', lines: [[STD, 'c\xf6mpute 2.39']], expect: { version: '2.1' } },
  { name: 'Arabic-Indic digits are not digits here', lines: [[LEG, '\xd9\xa2.39']], expect: { malformed: '\xd9\xa2.39' } },
  // Bytes Node's parser refuses: its bare 400.
  { name: 'NUL in a value', lines: [[STD, 'compute 2.39\x00']], expect: { node: 400 } },
  { name: 'DEL in a value', lines: [[STD, 'compute 2.39\x7f']], expect: { node: 400 } },
  { name: 'file separator (Python whitespace) in a value', lines: [[STD, 'compute\x1c2.39']], expect: { node: 400 } },
  { name: 'space before the colon', lines: [[`${STD} `, 'compute 2.39']], expect: { node: 400 } },
  { name: 'obsolete line folding', lines: [[STD, 'compute\r\n 2.39']], expect: { node: 400 } },
  // Very large values and many headers.
  { name: 'one 16,300-byte header: over Node\'s head limit', lines: [[STD, 'compute 2.39'], ['X-Pad', 'a'.repeat(16_300)]], expect: { node: 431 } },
  { name: '8,000 spaces between service and version', lines: [[STD, `compute${' '.repeat(8000)}2.39`]], expect: { version: '2.39' } },
  { name: '600 other services before compute', lines: [[STD, 'volume 3.0, '.repeat(600) + 'compute 2.39']], expect: { version: '2.39' } },
  { name: '1,500 legacy values folded, 2.39 last', lines: [[LEG, '2.38,'.repeat(1500) + '2.39']], expect: { version: '2.39' } },
  { name: '8,000-digit minor version', lines: [[LEG, '2.' + '9'.repeat(8000)]], expect: { unsupported: '2.' + '9'.repeat(8000) } },
  { name: '8,000-character malformed version', lines: [[STD, 'compute ' + 'x'.repeat(8000)]], expect: { malformed: 'x'.repeat(8000) } },
  { name: '150 other headers first', lines: [...fillers(150), [STD, 'compute 2.39']], expect: { version: '2.39' } },
  { name: '900 other headers first', lines: [...fillers(900, 'f'), [STD, 'compute 2.39']], expect: { version: '2.39' } },
];

/** Every header line sent is dropped by Node past its header count, so the gateway decides on fewer headers than it got. */
const MANY_HEADERS: HeaderCase = {
  name: '1,500 short headers before the version header',
  lines: [...fillers(1500, 'f'), [STD, 'compute 2.39']],
  expect: { version: '2.39' },
};

const pyJsonString = (s: string) =>
  '"' + [...s].map((c) => (c === '"' || c === '\\' ? '\\' + c : c.charCodeAt(0) > 0x7e || c.charCodeAt(0) < 0x20 ? '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0') : c)).join('') + '"';

function verdict(c: HeaderCase, a: Exchange, received: readonly { headers: Record<string, unknown> }[]): string[] {
  const bad: string[] = [];
  if (a.kind !== 'answer') return [`${c.name}: ${a.kind} ${JSON.stringify(a.received.slice(0, 120))}`];
  const body = a.body.toString('latin1');
  const std = a.header(STD);
  const leg = a.header(LEG);
  const vary = a.headers('Vary').join('|');
  const e = c.expect;
  if ('node' in e) {
    if (a.status !== e.node || body !== '') bad.push(`expected Node's ${e.node}, got ${a.status} ${body.slice(0, 100)}`);
    if (received.length) bad.push('forwarded');
  } else if ('malformed' in e) {
    const message = `API Version String ${e.malformed} is of invalid format. Must be of format MajorNum.MinorNum.`;
    const expected = `{"badRequest": {"code": 400, "message": ${pyJsonString(message)}}}`;
    if (a.status !== 400 || body !== expected) bad.push(`expected 400 ${expected.slice(0, 140)}, got ${a.status} ${body.slice(0, 140)}`);
    if (std !== undefined || leg !== undefined || vary !== '') bad.push('400 carries version headers');
    if (received.length) bad.push('forwarded');
  } else if ('unsupported' in e) {
    const expected = `{"computeFault": {"code": 406, "message": "Version ${e.unsupported} is not supported by the API. Minimum is 2.1 and maximum is ${MAX}."}}`;
    if (a.status !== 406 || body !== expected) bad.push(`expected 406, got ${a.status} ${body.slice(0, 140)}`);
    if (std !== `compute ${e.unsupported}` || leg !== e.unsupported) bad.push(`406 echo headers ${std?.slice(0, 40)} / ${leg?.slice(0, 40)}`);
    if (received.length) bad.push('forwarded');
  } else {
    const v = e.version;
    const blocked = v === MAX;
    if (blocked && (a.status !== 404 || body !== NOT_FOUND_BODY)) bad.push(`expected the gateway's 404 at ${v}, got ${a.status} ${body.slice(0, 120)}`);
    if (!blocked && (a.status !== 200 || body !== MARKER)) bad.push(`expected forwarding at ${v}, got ${a.status} ${body.slice(0, 120)}`);
    if (std !== `compute ${v}` || leg !== v) bad.push(`answer version headers ${std} / ${leg}, expected ${v}`);
    if (vary !== `${STD}|${LEG}`) bad.push(`Vary ${vary}`);
    if (blocked && received.length) bad.push('forwarded although the gateway answered');
    if (!blocked) {
      if (received.length !== 1) bad.push(`upstream received ${received.length} requests`);
      else {
        const h = received[0].headers;
        if (h['openstack-api-version'] !== `compute ${v}` || h['x-openstack-nova-api-version'] !== v) {
          bad.push(`upstream asked for ${String(h['openstack-api-version'])} / ${String(h['x-openstack-nova-api-version'])}`);
        }
      }
    }
  }
  return bad.map((b) => `${c.name}: ${b}`);
}

describe('header corpus', () => {
  let upstream: TestUpstream;
  let gw: RunningGateway;
  beforeAll(async () => {
    upstream = await startTestUpstream(novaLikeJson(200, MARKER));
    gw = await startTestGateway({ upstream: upstream.url });
  });
  afterAll(async () => {
    await gw.close(1000);
    await upstream.close();
  });

  async function run(c: HeaderCase): Promise<string[]> {
    const tag = `h-${Math.random().toString(36).slice(2)}`;
    const a = await exchange(gw.proxyUrl, request('GET', PROBE, [['X-Case', tag], ...c.lines]));
    const received = upstream.received.filter((r) => r.headers['x-case'] === tag);
    return verdict(c, a, received);
  }

  async function stillHealthy(): Promise<void> {
    const a = await exchange(gw.proxyUrl, request('GET', '/v2.1/limits', [[STD, 'compute 2.38']]));
    expect(a.kind === 'answer' && a.status === 200 && a.header(STD) === 'compute 2.38').toBe(true);
    expect((await fetch(`${gw.adminUrl}/healthz`)).status).toBe(200);
  }

  test(`${CASES.length} cases answered as Nova would`, async () => {
    expect(CASES.length).toBeGreaterThanOrEqual(50);
    const failures: string[] = [];
    for (const c of CASES) failures.push(...(await run(c)));
    expect(failures).toEqual([]);
    await stillHealthy();
  });

  test('a version header after 1,500 short headers is still honoured (not silently dropped by Node)', async () => {
    expect(await run(MANY_HEADERS)).toEqual([]);
    await stillHealthy();
  });

  test('the same cases on keep-alive connections, pipelined in one write, leave the gateway healthy', async () => {
    const small = CASES.filter((c) => !('node' in c.expect) && c.lines.reduce((n, [k, v]) => n + k.length + v.length, 0) < 2000);
    const heads = small.map((c) => {
      const lines = [`GET ${PROBE} HTTP/1.1`, 'Host: 127.0.0.1', ...c.lines.map(([k, v]) => `${k}: ${v}`)];
      return lines.join('\r\n') + '\r\n\r\n';
    });
    const last = `GET /v2.1/limits HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`;
    const a = await exchange(gw.proxyUrl, heads.join('') + last, { timeoutMs: 15_000 });
    // The raw reader stops at the first complete answer; the point is that none of this hurts the gateway.
    expect(a.kind).toBe('answer');
    await stillHealthy();
  });
});
