import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { mustParseMicroversion as mv } from '../../gateway/microversion/version';
import { compileRuleSet } from '../../gateway/rules/compile';
import { decide, defaultUpstreamMax, type Decision, type DecideOptions } from '../../gateway/rules/decide';
import { loadRuleSet } from '../../gateway/rules/load';
import type { RuleSet } from '../../gateway/rules/types';

/** `decide` on the shipped 2.39 file, row by row of reference §10 (the gateway's side of each row). */

const RULES_DIR = path.join(__dirname, '../../rules');
const FILE = path.join(RULES_DIR, '2.39-image-metadata.yaml');
const IMAGE = '/v2.1/images/70a599e0-31e7-49b7-b260-868f441e862b';
const SERVER = '/v2.1/servers/9168b536-cd40-4630-b43f-b259807c6e87';
const NF = '{"itemNotFound": {"code": 404, "message": "The resource could not be found."}}';
const UPSTREAM = { upstreamMax: mv('2.38') };

let rs: RuleSet;
beforeAll(async () => {
  const loaded = await loadRuleSet(RULES_DIR);
  if (!loaded.ok) throw new Error(loaded.errors.map((e) => e.text).join('\n'));
  rs = loaded.ruleSet;
});

function at(version: string | undefined, method: string, target: string, body?: unknown, options: DecideOptions = UPSTREAM): Decision {
  const headers: Record<string, string> = version === undefined ? {} : { 'OpenStack-API-Version': `compute ${version}` };
  return decide(rs, { method, target, headers, ...(body !== undefined ? { body } : {}) }, options);
}

function summary(d: Decision): string {
  const o = d.outcome;
  const rules = d.rules.map((r) => r.id).join(',');
  switch (o.kind) {
    case 'respond':
      return `respond ${o.status} [${rules}]`;
    case 'forward':
      return `forward${o.version ? ` ${o.version.text}` : ''} [${rules}]`;
    case 'refuse':
      return `refuse ${o.status} ${o.stage}`;
    case 'not-found':
      return 'not-found';
  }
}

describe('§10 rows 1–16: image metadata', () => {
  it.each([
    [1, 'GET', `${IMAGE}/metadata`, undefined, 'image-metadata-collection-removed'],
    [2, 'GET', '/v2.1/images/00000000-0000-0000-0000-000000000000/metadata', undefined, 'image-metadata-collection-removed'],
    [3, 'GET', `${IMAGE}/metadata/kernel_id`, undefined, 'image-metadata-item-removed'],
    [4, 'GET', `${IMAGE}/metadata/nope`, undefined, 'image-metadata-item-removed'],
    [5, 'POST', `${IMAGE}/metadata`, { metadata: { Label: 'x', kernel_id: 'False' } }, 'image-metadata-collection-removed'],
    [6, 'PUT', `${IMAGE}/metadata`, { metadata: { a: 'b' } }, 'image-metadata-collection-removed'],
    [7, 'PUT', `${IMAGE}/metadata/Label`, { meta: { Label: 'y' } }, 'image-metadata-item-removed'],
    [8, 'PUT', `${IMAGE}/metadata/Label`, { meta: { other: 'y' } }, 'image-metadata-item-removed'],
    [9, 'PUT', `${IMAGE}/metadata/Label`, { meta: { Label: 'y', b: 'c' } }, 'image-metadata-item-removed'],
    [10, 'DELETE', `${IMAGE}/metadata/kernel_id`, undefined, 'image-metadata-item-removed'],
    [11, 'DELETE', `${IMAGE}/metadata/nope`, undefined, 'image-metadata-item-removed'],
    [12, 'POST', `${IMAGE}/metadata`, { metadata: { 'bad/key': 'x' } }, 'image-metadata-collection-removed'],
    [13, 'POST', `${IMAGE}/metadata`, { metadata: { a: 'x'.repeat(256) } }, 'image-metadata-collection-removed'],
    [14, 'POST', `${IMAGE}/metadata`, {}, 'image-metadata-collection-removed'],
    [15, 'POST', `${IMAGE}/metadata`, { metadata: Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`k${i}`, 'v'])) }, 'image-metadata-collection-removed'],
    [16, 'PUT', `${IMAGE}/metadata`, { metadata: { a: '1', b: '2', c: '3', d: '4' } }, 'image-metadata-collection-removed'],
  ])('row %d: %s %s', (_row, method, target, body, ruleId) => {
    expect(summary(at('2.38', method, target, body))).toBe('forward 2.38 []');
    for (const v of ['2.39', 'latest']) {
      const d = at(v, method, target, body);
      expect(d.outcome).toEqual({ kind: 'respond', status: 404, body: NF, ruleId, by: 'respond' });
      expect(d.steps.map((s) => [s.ruleId, s.phase, s.answers])).toEqual([[ruleId, 'request', true]]);
    }
  });
});

describe('§10 rows 19–21', () => {
  it('row 19: PATCH is left to the router (no rule, both sides)', () => {
    expect(summary(at('2.38', 'PATCH', `${IMAGE}/metadata`))).toBe('forward 2.38 []');
    expect(summary(at('2.39', 'PATCH', `${IMAGE}/metadata`))).toBe('forward 2.38 []');
  });

  it('row 20: /images itself is the upstream\'s own 404 from 2.36 (forwarded at 2.38)', () => {
    for (const target of ['/v2.1/images', '/v2.1/images/detail', IMAGE]) {
      expect(summary(at('2.39', 'GET', target))).toBe('forward 2.38 []');
    }
  });

  it('row 21: limits keep maxImageMeta at 2.38 and lose it from 2.39', () => {
    expect(summary(at('2.38', 'GET', '/v2.1/limits'))).toBe('forward 2.38 []');
    const d = at('2.39', 'GET', '/v2.1/limits');
    expect(summary(d)).toBe('forward 2.38 [limits-no-max-image-meta]');
    expect(d.steps.map((s) => [s.phase, s.text])).toEqual([['response', 'remove /limits/absolute/maxImageMeta from a 2xx JSON answer']]);
  });
});

describe('§10 rows 22–28: createImage and createBackup', () => {
  const over = { a: '1', b: '2', c: '3', d: '4' };
  it.each([
    ['createImage', { createImage: { name: 'n', metadata: over } }],
    ['createBackup', { createBackup: { name: 'Backup 1', backup_type: 'daily', rotation: 1, metadata: over } }],
  ])('rows 22/24: %s at 2.38 is forwarded untouched (the upstream checks, the precheck is disabled)', (_name, body) => {
    expect(summary(at('2.38', 'POST', `${SERVER}/action`, body))).toBe('forward 2.38 []');
    expect(summary(at(undefined, 'POST', SERVER.replace('/v2.1', '/v2') + '/action', body))).toBe('forward []');
  });

  it.each([
    ['createImage', { createImage: { name: 'n', metadata: over } }],
    ['createBackup', { createBackup: { name: 'Backup 1', backup_type: 'daily', rotation: 1, metadata: over } }],
  ])('rows 22/24: %s from 2.39 has its metadata withheld for the Image service', (name, body) => {
    for (const v of ['2.39', 'latest']) {
      const d = at(v, 'POST', `${SERVER}/action`, body, { upstreamMax: mv('2.38') });
      expect(summary(d)).toBe('forward 2.38 [image-create-metadata-to-glance]');
      expect(d.serverAction).toBe(name);
      expect(d.steps).toHaveLength(1);
      expect(d.steps[0]).toMatchObject({ phase: 'request', action: { kind: 'withhold', member: { source: `/${name}/metadata` } } });
    }
  });

  it('rows 23/25/26: without metadata there is nothing to withhold', () => {
    const d = at('2.39', 'POST', `${SERVER}/action`, { createBackup: { name: 'b', backup_type: 'daily', rotation: 0 } });
    expect(d.steps[0].text).toMatch(/\/createBackup\/metadata is absent: nothing to withhold$/);
  });

  it('row 28: other actions are not touched', () => {
    expect(summary(at('2.39', 'POST', `${SERVER}/action`, { fooAction: {} }))).toBe('forward 2.38 []');
  });

  it('a body that names no single action is refused as Nova does (400 Malformed request body)', () => {
    const d = at('2.39', 'POST', `${SERVER}/action`, { createImage: {}, createBackup: {} });
    expect(d.outcome).toEqual({
      kind: 'refuse',
      stage: 'body',
      status: 400,
      reason: 'Malformed request body',
      body: '{"badRequest": {"code": 400, "message": "Malformed request body"}}',
    });
  });
});

describe('the disabled precheck, once enabled (an upstream whose quota driver never checks)', () => {
  let enabled: RuleSet;
  beforeAll(async () => {
    const text = (await fs.readFile(FILE, 'utf8')).replace('    enabled: false\n', '');
    const r = compileRuleSet([{ name: 'rules/2.39-image-metadata.yaml', text }]);
    if (!r.ok) throw new Error(r.errors[0].text);
    enabled = r.ruleSet;
  });
  const limits = { limits: { rate: [], absolute: { maxImageMeta: 3, maxServerMeta: 3 } } };
  const body = (n: number) => ({ createImage: { name: 'n', metadata: Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, 'v'])) } });

  it('refuses L+1 items with 403 Image metadata limit exceeded, below 2.39 and on /v2', () => {
    for (const [target, headers] of [
      [`${SERVER}/action`, { 'OpenStack-API-Version': 'compute 2.38' }],
      [SERVER.replace('/v2.1', '/v2') + '/action', { 'OpenStack-API-Version': 'compute 2.39' }],
    ] as const) {
      const d = decide(enabled, { method: 'POST', target, headers, body: body(4) }, { upstreamMax: mv('2.38'), upstreamLimits: limits });
      expect(d.outcome).toEqual({
        kind: 'respond',
        status: 403,
        by: 'precheck',
        ruleId: 'image-create-metadata-quota-precheck',
        body: '{"forbidden": {"code": 403, "message": "Image metadata limit exceeded"}}',
      });
    }
  });

  it('lets L items through, and does not run from 2.39', () => {
    const ok = decide(enabled, { method: 'POST', target: `${SERVER}/action`, body: body(3) }, { upstreamMax: mv('2.38'), upstreamLimits: limits });
    expect(summary(ok)).toBe('forward 2.1 [image-create-metadata-quota-precheck]');
    expect(ok.steps[0].text).toMatch(/counts 3 against limit 3: within$/);
    const later = decide(enabled, { method: 'POST', target: `${SERVER}/action`, headers: { 'OpenStack-API-Version': 'compute 2.39' }, body: body(4) }, { upstreamMax: mv('2.38'), upstreamLimits: limits });
    expect(summary(later)).toBe('forward 2.38 [image-create-metadata-to-glance]');
  });

  it('says the limit is read at run time when no limits answer is given', () => {
    const d = decide(enabled, { method: 'POST', target: `${SERVER}/action`, body: body(4) }, { upstreamMax: mv('2.38') });
    expect(d.outcome.kind).toBe('forward');
    expect(d.steps[0].text).toMatch(/counts 4; the limit is read from the upstream at run time/);
  });
});

describe('§10 rows 29–40: versions and routes', () => {
  it('row 29: no header means 2.1', () => {
    const d = at(undefined, 'GET', `${IMAGE}/metadata`);
    expect(d.version?.text).toBe('2.1');
    expect(summary(d)).toBe('forward 2.1 []');
  });

  it('row 30: latest is the advertised maximum (raised to 2.39 over a 2.38 upstream, else the upstream max)', () => {
    expect(at('latest', 'GET', `${IMAGE}/metadata`).version?.text).toBe('2.39');
    const d = at('latest', 'GET', `${IMAGE}/metadata`, undefined, { upstreamMax: mv('2.93') });
    expect(d.version?.text).toBe('2.93');
    expect(summary(d)).toBe('respond 404 [image-metadata-collection-removed]');
    expect(d.notes.join('\n')).toMatch(/emulates 2\.39, which the upstream \(max 2\.93\) implements itself/);
  });

  it.each([['Latest'], ['2.1.3'], ['2.01'], ['abc']])('row 31: %j is malformed: 400, no version headers', (v) => {
    const d = at(v, 'GET', `${IMAGE}/metadata`);
    expect(d.outcome).toEqual({
      kind: 'refuse',
      stage: 'negotiate',
      status: 400,
      reason: `API Version String ${v} is of invalid format. Must be of format MajorNum.MinorNum.`,
      body: `{"badRequest": {"code": 400, "message": "API Version String ${v} is of invalid format. Must be of format MajorNum.MinorNum."}}`,
    });
  });

  it('row 31: an empty legacy value is malformed too', () => {
    const d = decide(rs, { method: 'GET', target: `${IMAGE}/metadata`, headers: { 'X-OpenStack-Nova-API-Version': '' } }, UPSTREAM);
    expect(d.outcome).toMatchObject({ status: 400, reason: 'API Version String  is of invalid format. Must be of format MajorNum.MinorNum.' });
  });

  it.each([['2.40'], ['2.0'], ['3.0'], ['1.1']])('row 32: %s is out of the advertised range: 406 echoing it', (v) => {
    const d = at(v, 'GET', `${IMAGE}/metadata`);
    const message = `Version ${v} is not supported by the API. Minimum is 2.1 and maximum is 2.39.`;
    expect(d.outcome).toEqual({
      kind: 'refuse',
      stage: 'negotiate',
      status: 406,
      reason: message,
      body: `{"computeFault": {"code": 406, "message": "${message}"}}`,
      echoVersion: v,
    });
  });

  it('row 33: the standard header wins over the legacy one', () => {
    const d = decide(
      rs,
      { method: 'GET', target: `${IMAGE}/metadata`, headers: { 'OpenStack-API-Version': 'compute 2.39', 'X-OpenStack-Nova-API-Version': '2.38' } },
      UPSTREAM,
    );
    expect(summary(d)).toBe('respond 404 [image-metadata-collection-removed]');
  });

  it('row 34: a standard header for another service falls back to the legacy one', () => {
    const d = decide(
      rs,
      { method: 'GET', target: `${IMAGE}/metadata`, headers: { 'OpenStack-API-Version': 'volume 3.0', 'X-OpenStack-Nova-API-Version': '2.38' } },
      UPSTREAM,
    );
    expect(summary(d)).toBe('forward 2.38 []');
  });

  it('row 35: the last compute entry wins', () => {
    expect(summary(at('2.38, compute 2.39', 'GET', `${IMAGE}/metadata`))).toBe('respond 404 [image-metadata-collection-removed]');
  });

  it('row 36: /v2 ignores even invalid version headers and runs as 2.1', () => {
    const d = at('2.1.3', 'GET', IMAGE.replace('/v2.1', '/v2') + '/metadata');
    expect(d.version?.text).toBe('2.1');
    expect(summary(d)).toBe('forward []');
  });

  it('row 37: the root version list is not microversioned', () => {
    expect(summary(at('abc', 'GET', '/'))).toBe('forward []');
  });

  it('row 38: the v2.1 document is negotiated', () => {
    expect(summary(at('2.39', 'GET', '/v2.1/'))).toBe('forward 2.38 []');
    expect(at('9.9', 'GET', '/v2.1')).toMatchObject({ outcome: { status: 406, echoVersion: '9.9' } });
  });

  it('rows 39, 40: the v2 document and unversioned paths are forwarded', () => {
    expect(summary(at('abc', 'GET', '/v2/'))).toBe('forward []');
    expect(summary(at('2.39', 'GET', '/servers'))).toBe('forward []');
  });
});

describe('canonicalisation, prefix and project id', () => {
  it('refuses an ambiguous target with 400 before anything else', () => {
    const d = at('2.39', 'GET', `${IMAGE}%2Fmetadata`);
    expect(d.outcome).toMatchObject({ kind: 'refuse', stage: 'canonicalise', status: 400 });
    expect(d.refusal).toBe('encoded-delimiter');
  });

  it('matches the canonical path (dot segments, escapes, repeated slashes)', () => {
    const d = at('2.39', 'GET', '/v2.1//images/x/./%6Detadata');
    expect(d.canonical?.path).toBe('/v2.1/images/x/metadata');
    expect(summary(d)).toBe('respond 404 [image-metadata-collection-removed]');
  });

  it('reads the project id and a prefix', () => {
    const d = at('2.39', 'GET', '/compute/v2.1/c0ffee00/images/x/metadata.json', undefined, { upstreamMax: mv('2.38'), prefix: '/compute' });
    expect(d.route).toMatchObject({ kind: 'v2.1', projectId: 'c0ffee00', resourcePath: '/images/x/metadata.json' });
    expect(summary(d)).toBe('respond 404 [image-metadata-collection-removed]');
    expect(summary(at('2.39', 'GET', '/v2.1/images/x/metadata', undefined, { prefix: '/compute' }))).toBe('not-found');
  });
});

describe('defaults', () => {
  it('assumes the upstream maximum just below the lowest microversion introduced', () => {
    expect(defaultUpstreamMax(rs).text).toBe('2.38');
    const d = at('latest', 'GET', '/v2.1/limits', undefined, {});
    expect(d.advertised).toMatchObject({ upstreamMaxAssumed: true });
    expect(d.advertised.max.text).toBe('2.39');
  });

  it('shadow rules are listed apart and do not act', () => {
    const r = compileRuleSet([
      {
        name: 'x.yaml',
        text: 'microversion: "2.39"\ntitle: t\nrules:\n  - id: dry\n    shadow: true\n    match: { methods: [GET], path: /limits, versions: ">=2.39" }\n    actions: [{ respond: { status: 404 } }]\n',
      },
    ]);
    if (!r.ok) throw new Error(r.errors[0].text);
    const d = decide(r.ruleSet, { method: 'GET', target: '/v2.1/limits', headers: { 'OpenStack-API-Version': 'compute 2.39' } }, { upstreamMax: mv('2.38') });
    expect(d.rules).toEqual([]);
    expect(d.shadowRules.map((x) => x.id)).toEqual(['dry']);
    expect(d.outcome).toEqual({ kind: 'forward', version: mv('2.38') });
  });
});
