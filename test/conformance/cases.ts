/**
 * Reference §10 as data: every conformance case, with what Nova answers at each requested
 * version. The same cases run against the bundled simulator (npm test), the gateway in
 * front of it, a real Nova and the gateway in front of that Nova (npm run test:e2e).
 */

export const IMAGE_ID = '70a599e0-31e7-49b7-b260-868f441e862b';
export const MISSING_IMAGE_ID = 'f9d6d8a4-0000-4000-8000-00000000dead';
export const SERVER_ID = '9168b536-cd40-4630-b43f-b259807c6e87';
/** The metadata_items quota every side is configured with. */
export const QUOTA = 3;
export const SEEDED_PROPERTIES = { kernel_id: 'nokernel', ramdisk_id: 'nokernel' };

/** A requested version: no header, or a value in one header form. */
export type VersionAsk =
  | { readonly form: 'none' }
  | { readonly form: 'standard' | 'legacy'; readonly value: string };

export const ASKED_VALUES = ['2.1', '2.35', '2.36', '2.38', '2.39', 'latest'] as const;

/** Every version ask the suite runs: no header, then each value in both header forms. */
export function versionAsks(): VersionAsk[] {
  const asks: VersionAsk[] = [{ form: 'none' }];
  for (const value of ASKED_VALUES) for (const form of ['standard', 'legacy'] as const) asks.push({ form, value });
  return asks;
}

export function askHeaders(ask: VersionAsk): Record<string, string> {
  if (ask.form === 'none') return {};
  return ask.form === 'standard' ? { 'OpenStack-API-Version': `compute ${ask.value}` } : { 'X-OpenStack-Nova-API-Version': ask.value };
}

export function describeAsk(ask: VersionAsk): string {
  return ask.form === 'none' ? 'no version header' : `${ask.form} ${ask.value}`;
}

/** What the expectation sees: the version the answer is made at (2.1 with no header; "latest" resolved). */
export interface At {
  readonly version: string;
  readonly minor: number;
}

export type BodyExpectation =
  | { readonly kind: 'json'; readonly value: unknown }
  | { readonly kind: 'fault'; readonly status: number; readonly name: string; readonly message?: string }
  | { readonly kind: 'empty' }
  | { readonly kind: 'text-starts'; readonly prefix: string }
  | { readonly kind: 'check'; readonly describe: string; readonly test: (json: any) => boolean };

export interface Expectation {
  readonly status: number;
  readonly body?: BodyExpectation;
  /** The version headers answer: a version, or null for none at all. */
  readonly versionHeaders: string | null;
  /** Expected Location: a regular expression, or null for none; undefined: not checked. */
  readonly location?: RegExp | null;
}

export interface ConformanceCase {
  readonly id: string;
  readonly row: number;
  readonly title: string;
  readonly method: string;
  /** Path from the host root, e.g. /v2.1/images/{IMAGE}/metadata. */
  readonly path: string;
  readonly body?: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Changes state: the sides are reset before it runs. */
  readonly mutates?: boolean;
  /** Which asks to run (default: all). */
  readonly asks?: () => VersionAsk[];
  /** Nova's answer at that version; the gateway must give the same. */
  expect(at: At): Expectation;
}

export const NF: BodyExpectation = { kind: 'fault', status: 404, name: 'itemNotFound', message: 'The resource could not be found.' };
const fault = (status: number, name: string, message?: string): BodyExpectation => ({ kind: 'fault', status, name, message });
const json = (value: unknown): BodyExpectation => ({ kind: 'json', value });
const gate = (at: At, cap: number, below: Expectation): Expectation =>
  at.minor <= cap ? below : { status: 404, body: NF, versionHeaders: at.version };
const metadataGate = (at: At, below: Omit<Expectation, 'versionHeaders'>): Expectation => gate(at, 38, { ...below, versionHeaders: at.version });

const META = `/v2.1/images/${IMAGE_ID}/metadata`;
const jsonBody = (v: unknown) => JSON.stringify(v);
const overQuota = (n = QUOTA + 1) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`key${i}`, `value${i}`]));
const VALIDATION = fault(400, 'badRequest');
const QUOTA_EXCEEDED = fault(403, 'forbidden', 'Image metadata limit exceeded');
const ACTION = `/v2.1/servers/${SERVER_ID}/action`;

export const CASES: readonly ConformanceCase[] = [
  { id: 'r01-metadata-index', row: 1, title: 'GET image metadata', method: 'GET', path: META,
    expect: (at) => metadataGate(at, { status: 200, body: json({ metadata: SEEDED_PROPERTIES }) }) },
  { id: 'r02-metadata-missing-image', row: 2, title: 'GET metadata of a missing image', method: 'GET',
    path: `/v2.1/images/${MISSING_IMAGE_ID}/metadata`,
    expect: (at) => metadataGate(at, { status: 404, body: fault(404, 'itemNotFound', 'Image not found.') }) },
  { id: 'r03-metadata-show', row: 3, title: 'GET one metadata key', method: 'GET', path: `${META}/kernel_id`,
    expect: (at) => metadataGate(at, { status: 200, body: json({ meta: { kernel_id: 'nokernel' } }) }) },
  { id: 'r04-metadata-show-missing-key', row: 4, title: 'GET a missing key', method: 'GET', path: `${META}/nope`,
    expect: (at) => metadataGate(at, { status: 404, body: NF }) },
  { id: 'r05-metadata-merge', row: 5, title: 'POST metadata merges', method: 'POST', path: META, mutates: true,
    body: jsonBody({ metadata: { Label: 'x', kernel_id: 'False' } }),
    expect: (at) => metadataGate(at, { status: 200, body: json({ metadata: { kernel_id: 'False', ramdisk_id: 'nokernel', Label: 'x' } }) }) },
  { id: 'r06-metadata-replace', row: 6, title: 'PUT metadata replaces', method: 'PUT', path: META, mutates: true,
    body: jsonBody({ metadata: { a: 'b' } }),
    expect: (at) => metadataGate(at, { status: 200, body: json({ metadata: { a: 'b' } }) }) },
  { id: 'r07-metadata-set-key', row: 7, title: 'PUT one key', method: 'PUT', path: `${META}/Label`, mutates: true,
    body: jsonBody({ meta: { Label: 'y' } }),
    expect: (at) => metadataGate(at, { status: 200, body: json({ meta: { Label: 'y' } }) }) },
  { id: 'r08-metadata-key-mismatch', row: 8, title: 'PUT key with body/URI mismatch', method: 'PUT', path: `${META}/Label`,
    body: jsonBody({ meta: { other: 'y' } }),
    expect: (at) => metadataGate(at, { status: 400, body: fault(400, 'badRequest', 'Request body and URI mismatch') }) },
  { id: 'r09-metadata-key-two-entries', row: 9, title: 'PUT key with two entries', method: 'PUT', path: `${META}/Label`,
    body: jsonBody({ meta: { Label: 'y', b: 'c' } }),
    expect: (at) => metadataGate(at, { status: 400, body: VALIDATION }) },
  { id: 'r10-metadata-delete', row: 10, title: 'DELETE a key', method: 'DELETE', path: `${META}/kernel_id`, mutates: true,
    expect: (at) => metadataGate(at, { status: 204, body: { kind: 'empty' } }) },
  { id: 'r11-metadata-delete-missing', row: 11, title: 'DELETE a missing key', method: 'DELETE', path: `${META}/nope`,
    expect: (at) => metadataGate(at, { status: 404, body: fault(404, 'itemNotFound', 'Invalid metadata key') }) },
  { id: 'r12-metadata-bad-key', row: 12, title: 'POST metadata with a bad key', method: 'POST', path: META,
    body: jsonBody({ metadata: { 'bad/key': 'x' } }),
    expect: (at) => metadataGate(at, { status: 400, body: VALIDATION }) },
  { id: 'r13-metadata-long-value', row: 13, title: 'POST metadata with a 256-character value', method: 'POST', path: META,
    body: jsonBody({ metadata: { k: 'v'.repeat(256) } }),
    expect: (at) => metadataGate(at, { status: 400, body: VALIDATION }) },
  { id: 'r13-metadata-non-string', row: 13, title: 'POST metadata with a non-string value', method: 'POST', path: META,
    body: jsonBody({ metadata: { k: 1 } }),
    expect: (at) => metadataGate(at, { status: 400, body: VALIDATION }) },
  { id: 'r14-metadata-empty-object', row: 14, title: 'POST {}', method: 'POST', path: META, body: '{}',
    expect: (at) => metadataGate(at, { status: 400, body: VALIDATION }) },
  { id: 'r14-metadata-extra-key', row: 14, title: 'POST with an extra top-level key', method: 'POST', path: META,
    body: jsonBody({ metadata: { a: 'b' }, extra: 1 }),
    expect: (at) => metadataGate(at, { status: 400, body: VALIDATION }) },
  { id: 'r15-metadata-merge-over-quota', row: 15, title: 'POST that makes the merged count exceed the quota', method: 'POST',
    path: META, body: jsonBody({ metadata: { a: '1', b: '2' } }),
    expect: (at) => metadataGate(at, { status: 403, body: QUOTA_EXCEEDED }) },
  { id: 'r16-metadata-replace-at-quota', row: 16, title: 'PUT exactly quota keys', method: 'PUT', path: META, mutates: true,
    body: jsonBody({ metadata: overQuota(QUOTA) }),
    expect: (at) => metadataGate(at, { status: 200, body: json({ metadata: overQuota(QUOTA) }) }) },
  { id: 'r16-metadata-replace-over-quota', row: 16, title: 'PUT quota+1 keys', method: 'PUT', path: META,
    body: jsonBody({ metadata: overQuota() }),
    expect: (at) => metadataGate(at, { status: 403, body: QUOTA_EXCEEDED }) },
  { id: 'r17-metadata-malformed-body', row: 17, title: 'POST malformed JSON', method: 'POST', path: META, body: '{bad',
    expect: (at) => ({ status: 400, body: fault(400, 'badRequest', 'Malformed request body'), versionHeaders: at.version }) },
  { id: 'r18-metadata-xml', row: 18, title: 'POST with Content-Type text/xml', method: 'POST', path: META,
    body: '<metadata/>', headers: { 'Content-Type': 'text/xml' },
    expect: (at) => ({ status: 415, body: fault(415, 'badMediaType', 'Unsupported Content-Type'), versionHeaders: at.version }) },
  { id: 'r19-metadata-patch', row: 19, title: 'PATCH metadata (no route)', method: 'PATCH', path: META, body: '{}',
    expect: () => ({ status: 404, versionHeaders: null, body: { kind: 'check', describe: "WebOb's own JSON 404 (Accept: application/json)", test: (j) => j.code === '404 Not Found' && j.title === 'Not Found' } }) },
  { id: 'r20-images-list', row: 20, title: 'GET /images', method: 'GET', path: '/v2.1/images',
    expect: (at) => gate(at, 35, { status: 200, body: { kind: 'check', describe: 'an image list', test: (j) => Array.isArray(j.images) }, versionHeaders: at.version }) },
  { id: 'r20-images-detail', row: 20, title: 'GET /images/detail', method: 'GET', path: '/v2.1/images/detail',
    expect: (at) => gate(at, 35, { status: 200, body: { kind: 'check', describe: 'an image list', test: (j) => Array.isArray(j.images) }, versionHeaders: at.version }) },
  { id: 'r20-image-show', row: 20, title: 'GET /images/{id}', method: 'GET', path: `/v2.1/images/${IMAGE_ID}`,
    expect: (at) => gate(at, 35, { status: 200, body: { kind: 'check', describe: 'the image', test: (j) => j.image?.id === IMAGE_ID }, versionHeaders: at.version }) },
  { id: 'r21-limits', row: 21, title: 'GET /limits', method: 'GET', path: '/v2.1/limits',
    expect: (at) => ({ status: 200, versionHeaders: at.version, body: { kind: 'check', describe: limitsShape(at), test: (j) => limitsMatch(j, at) } }) },
  { id: 'r22-create-image-over-quota', row: 22, title: 'createImage with quota+1 metadata', method: 'POST', path: ACTION, mutates: true,
    body: jsonBody({ createImage: { name: 'snap', metadata: overQuota() } }),
    expect: (at) => at.minor < 39 ? { status: 403, body: QUOTA_EXCEEDED, versionHeaders: at.version }
      : { status: 202, body: { kind: 'empty' }, versionHeaders: at.version, location: /\/images\/[0-9a-f-]{36}$/ } },
  { id: 'r23-create-image', row: 23, title: 'createImage within quota', method: 'POST', path: ACTION, mutates: true,
    body: jsonBody({ createImage: { name: 'snap', metadata: overQuota(QUOTA) } }),
    expect: (at) => ({ status: 202, body: { kind: 'empty' }, versionHeaders: at.version, location: /\/images\/[0-9a-f-]{36}$/ }) },
  { id: 'r23-create-image-no-metadata', row: 23, title: 'createImage without metadata', method: 'POST', path: ACTION, mutates: true,
    body: jsonBody({ createImage: { name: 'snap' } }),
    expect: (at) => ({ status: 202, body: { kind: 'empty' }, versionHeaders: at.version, location: /\/images\/[0-9a-f-]{36}$/ }) },
  { id: 'r24-create-backup-over-quota', row: 24, title: 'createBackup with quota+1 metadata', method: 'POST', path: ACTION, mutates: true,
    body: jsonBody({ createBackup: { name: 'Backup 1', backup_type: 'daily', rotation: 1, metadata: overQuota() } }),
    expect: (at) => at.minor < 39 ? { status: 403, body: QUOTA_EXCEEDED, versionHeaders: at.version }
      : { status: 202, body: { kind: 'empty' }, versionHeaders: at.version, location: /\/v2\.1\/images\/[0-9a-f-]{36}$/ } },
  { id: 'r25-create-backup', row: 25, title: 'createBackup rotation 1 within quota', method: 'POST', path: ACTION, mutates: true,
    body: jsonBody({ createBackup: { name: 'Backup 1', backup_type: 'daily', rotation: 1 } }),
    expect: (at) => ({ status: 202, body: { kind: 'empty' }, versionHeaders: at.version, location: /\/v2\.1\/images\/[0-9a-f-]{36}$/ }) },
  { id: 'r26-create-backup-rotation-0', row: 26, title: 'createBackup rotation 0', method: 'POST', path: ACTION, mutates: true,
    body: jsonBody({ createBackup: { name: 'Backup 1', backup_type: 'daily', rotation: 0 } }),
    expect: (at) => ({ status: 202, body: { kind: 'empty' }, versionHeaders: at.version, location: null }) },
  { id: 'r27-create-image-bad-key', row: 27, title: 'createImage with metadata key a/b', method: 'POST', path: ACTION,
    body: jsonBody({ createImage: { name: 'snap', metadata: { 'a/b': 'c' } } }),
    expect: (at) => ({ status: 400, body: VALIDATION, versionHeaders: at.version }) },
  { id: 'r28-unknown-action', row: 28, title: 'an unknown server action', method: 'POST', path: ACTION,
    body: jsonBody({ fooAction: {} }),
    expect: (at) => ({ status: 400, body: fault(400, 'badRequest', 'There is no such action: fooAction'), versionHeaders: at.version }) },
  { id: 'r38-v21-document', row: 38, title: 'GET /v2.1/', method: 'GET', path: '/v2.1/',
    expect: (at) => ({ status: 200, versionHeaders: at.version, body: { kind: 'check', describe: 'the v2.1 version document', test: (j) => j.version?.id === 'v2.1' } }) },
  { id: 'r39-v2-document', row: 39, title: 'GET /v2/', method: 'GET', path: '/v2/',
    expect: () => ({ status: 200, versionHeaders: null, body: { kind: 'check', describe: 'the v2.0 document without microversions', test: (j) => j.version?.id === 'v2.0' && j.version.version === '' && j.version.min_version === '' } }) },
  { id: 'r36-v2-metadata', row: 36, title: 'GET /v2 image metadata ignores version headers', method: 'GET', path: `/v2/images/${IMAGE_ID}/metadata`,
    expect: () => ({ status: 200, versionHeaders: null, body: json({ metadata: SEEDED_PROPERTIES }) }) },
  { id: 'r37-root', row: 37, title: 'GET / ignores version headers', method: 'GET', path: '/',
    expect: () => ({ status: 200, versionHeaders: null, body: { kind: 'check', describe: 'the version list', test: (j) => Array.isArray(j.versions) && j.versions.some((v: any) => v.id === 'v2.1') } }) },
  { id: 'r40-unversioned', row: 40, title: 'GET /servers at the root', method: 'GET', path: '/servers',
    expect: () => ({ status: 300, versionHeaders: null, body: { kind: 'check', describe: 'multiple choices', test: (j) => Array.isArray(j.choices) } }) },
];

function limitsShape(at: At): string {
  return `${expectedLimitKeys(at).length} absolute keys${at.minor < 39 ? ' with maxImageMeta = maxServerMeta' : ' without maxImageMeta'}`;
}

const ALWAYS = ['maxTotalRAMSize', 'maxTotalInstances', 'maxTotalCores', 'maxTotalKeypairs', 'maxServerMeta', 'maxServerGroups',
  'maxServerGroupMembers', 'totalRAMUsed', 'totalCoresUsed', 'totalInstancesUsed', 'totalServerGroupsUsed'];
const NETWORK = ['maxTotalFloatingIps', 'maxSecurityGroups', 'maxSecurityGroupRules', 'totalFloatingIpsUsed', 'totalSecurityGroupsUsed'];
const PERSONALITY = ['maxPersonality', 'maxPersonalitySize'];

export function expectedLimitKeys(at: At): string[] {
  return [...ALWAYS, ...(at.minor < 36 ? NETWORK : []), ...(at.minor < 39 ? ['maxImageMeta'] : []), ...(at.minor < 57 ? PERSONALITY : [])].sort();
}

function limitsMatch(j: any, at: At): boolean {
  const absolute = j?.limits?.absolute;
  if (!absolute || !Array.isArray(j.limits.rate) || j.limits.rate.length !== 0) return false;
  const keys = Object.keys(absolute).sort();
  if (JSON.stringify(keys) !== JSON.stringify(expectedLimitKeys(at))) return false;
  return at.minor >= 39 || (absolute.maxImageMeta === QUOTA && absolute.maxServerMeta === QUOTA);
}

/** Version-negotiation cases (rows 29–35): one request each, fixed headers. */
export interface HeaderCase {
  readonly id: string;
  readonly row: number;
  readonly headers: Readonly<Record<string, string>>;
  /** Given the target's maximum, Nova's answer to GET image metadata with these headers. */
  expect(max: string): Expectation;
}

const invalid = (v: string): Expectation => ({
  status: 400, versionHeaders: null,
  body: fault(400, 'badRequest', `API Version String ${v} is of invalid format. Must be of format MajorNum.MinorNum.`),
});
const notAcceptable = (v: string, max: string): Expectation => ({
  status: 406, versionHeaders: v,
  body: fault(406, 'computeFault', `Version ${v} is not supported by the API. Minimum is 2.1 and maximum is ${max}.`),
});
const minorOf = (v: string) => Number(v.split('.')[1]);
const served = (v: string, max: string) =>
  minorOf(v) > minorOf(max) ? notAcceptable(v, max)
  : metadataGate({ version: v, minor: minorOf(v) }, { status: 200, body: json({ metadata: SEEDED_PROPERTIES }) });

export const HEADER_CASES: readonly HeaderCase[] = [
  { id: 'r29-no-header', row: 29, headers: {}, expect: (max) => served('2.1', max) },
  { id: 'r30-latest', row: 30, headers: { 'OpenStack-API-Version': 'compute latest' }, expect: (max) => served(max, max) },
  { id: 'r30-latest-legacy', row: 30, headers: { 'X-OpenStack-Nova-API-Version': 'latest' }, expect: (max) => served(max, max) },
  { id: 'r31-Latest', row: 31, headers: { 'OpenStack-API-Version': 'compute Latest' }, expect: () => invalid('Latest') },
  { id: 'r31-2.1.3', row: 31, headers: { 'OpenStack-API-Version': 'compute 2.1.3' }, expect: () => invalid('2.1.3') },
  { id: 'r31-2.01', row: 31, headers: { 'OpenStack-API-Version': 'compute 2.01' }, expect: () => invalid('2.01') },
  { id: 'r31-legacy-abc', row: 31, headers: { 'X-OpenStack-Nova-API-Version': 'abc' }, expect: () => invalid('abc') },
  { id: 'r31-legacy-empty', row: 31, headers: { 'X-OpenStack-Nova-API-Version': '' }, expect: () => invalid('') },
  { id: 'r32-max-plus-one', row: 32, headers: {}, expect: (max) => notAcceptable(nextOf(max), max) },
  { id: 'r32-2.0', row: 32, headers: { 'OpenStack-API-Version': 'compute 2.0' }, expect: (max) => notAcceptable('2.0', max) },
  { id: 'r32-3.0', row: 32, headers: { 'OpenStack-API-Version': 'compute 3.0' }, expect: (max) => notAcceptable('3.0', max) },
  { id: 'r32-1.1', row: 32, headers: { 'X-OpenStack-Nova-API-Version': '1.1' }, expect: (max) => notAcceptable('1.1', max) },
  { id: 'r33-standard-wins', row: 33, headers: { 'OpenStack-API-Version': 'compute 2.39', 'X-OpenStack-Nova-API-Version': '2.38' }, expect: (max) => served('2.39', max) },
  { id: 'r34-other-service', row: 34, headers: { 'OpenStack-API-Version': 'volume 3.0', 'X-OpenStack-Nova-API-Version': '2.38' }, expect: (max) => served('2.38', max) },
  { id: 'r35-last-wins', row: 35, headers: { 'OpenStack-API-Version': 'compute 2.38, compute 2.39' }, expect: (max) => served('2.39', max) },
];

export function nextOf(max: string): string {
  const [major, minor] = max.split('.').map(Number);
  return `${major}.${minor + 1}`;
}

/** Header cases whose max+1 version is computed per target get their header here. */
export function headerCaseHeaders(c: HeaderCase, max: string): Record<string, string> {
  return c.id === 'r32-max-plus-one' ? { 'OpenStack-API-Version': `compute ${nextOf(max)}` } : { ...c.headers };
}
