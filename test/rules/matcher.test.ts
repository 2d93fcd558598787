import fc from 'fast-check';
import { mustParseMicroversion } from '../../gateway/microversion/version';
import { compileRuleSet } from '../../gateway/rules/compile';
import { parseMicroversionRange } from '../../gateway/microversion/range';
import type { MatchQuery, RuleApi, RuleSet } from '../../gateway/rules/types';
import { ruleSetOf, withRules } from './helpers';

function ids(rs: RuleSet, method: string, resourcePath: string, version: string, api: RuleApi = 'v2.1'): string[] {
  return rs.match({ method, api, resourcePath, version: mustParseMicroversion(version) }).rules.map((r) => r.id);
}

const rule = (id: string, methods: string, path: string, versions: string, extra = '') => `
  - id: ${id}
    match:
      methods: [${methods}]
      path: "${path}"
      versions: "${versions}"
${extra}    actions:
      - headers: { X-Rule: ${id} }
`;

describe('matching methods and templates', () => {
  const rs = ruleSetOf(
    withRules(
      rule('collection', 'GET, POST, PUT', '/images/{image_id}/metadata', '>=2.39') +
        rule('item', 'GET, PUT, DELETE', '/images/{image_id}/metadata/{key}', '>=2.39') +
        rule('detail', 'GET', '/images/detail', '>=2.36') +
        rule('image', 'GET, DELETE', '/images/{id}', '>=2.36') +
        rule('limits', 'GET', '/limits', '>=2.39'),
    ),
  );

  it.each([
    ['GET', '/images/abc/metadata', ['collection']],
    ['POST', '/images/abc/metadata', ['collection']],
    ['PUT', '/images/abc/metadata', ['collection']],
    ['DELETE', '/images/abc/metadata', []],
    ['PATCH', '/images/abc/metadata', []],
    ['HEAD', '/images/abc/metadata', []],
    ['get', '/images/abc/metadata', []],
    ['GET', '/images/abc/metadata/kernel_id', ['item']],
    ['DELETE', '/images/abc/metadata/kernel_id', ['item']],
    ['POST', '/images/abc/metadata/kernel_id', []],
    ['GET', '/images/abc/metadata/a/b', []],
    ['GET', '/images/abc', ['image']],
    ['GET', '/images/detail', ['detail', 'image']],
    ['DELETE', '/images/detail', ['image']],
    ['GET', '/images', []],
    ['GET', '/Images/abc/metadata', []],
    ['GET', '/limits', ['limits']],
    ['GET', '', []],
    ['GET', '/', []],
    ['GET', 'limits', []],
  ])('%s %s', (method, path, expected) => {
    expect(ids(rs, method, path, '2.39')).toEqual(expected);
  });

  it.each([
    ['/limits.json', ['limits']],
    ['/limits.xml', ['limits']],
    ['/limits.yaml', []],
    ['/limits/', ['limits']],
    ['/limits.json/', ['limits']],
    ['/limits//', []],
    ['/images/abc/metadata.json', ['collection']],
    ['/images/abc/metadata/kernel_id.json', ['item']],
    ['/images/abc.xml', ['image']],
    ['/images/detail.json', ['detail', 'image']],
    ['/.json', []],
  ])('format suffix and trailing slash: GET %s', (path, expected) => {
    expect(ids(rs, 'GET', path, '2.39')).toEqual(expected);
  });
});

describe('version boundaries', () => {
  const rs = ruleSetOf(
    withRules(
      rule('from-2-39', 'GET', '/limits', '>=2.39') +
        rule('below-2-39', 'GET', '/limits', '<2.39') +
        rule('from-2-10', 'GET', '/limits', '>=2.10') +
        rule('window', 'GET', '/limits', '>=2.36 <2.39') +
        rule('hyphen', 'GET', '/limits', '2.1 - 2.9') +
        rule('either', 'GET', '/limits', '=2.5 || >2.100'),
    ),
  );
  it.each([
    ['2.1', ['below-2-39', 'hyphen']],
    ['2.5', ['below-2-39', 'hyphen', 'either']],
    ['2.9', ['below-2-39', 'hyphen']],
    ['2.10', ['below-2-39', 'from-2-10']],
    ['2.35', ['below-2-39', 'from-2-10']],
    ['2.36', ['below-2-39', 'from-2-10', 'window']],
    ['2.38', ['below-2-39', 'from-2-10', 'window']],
    ['2.39', ['from-2-39', 'from-2-10']],
    ['2.100', ['from-2-39', 'from-2-10']],
    ['2.101', ['from-2-39', 'from-2-10', 'either']],
    ['3.0', ['from-2-39', 'from-2-10', 'either']],
  ])('at %s', (version, expected) => {
    expect(ids(rs, 'GET', '/limits', version)).toEqual(expected);
  });
});

describe('apis', () => {
  const rs = ruleSetOf(
    withRules(
      rule('v21-only', 'GET', '/limits', '<2.39') +
        rule('both', 'GET', '/limits', '<2.39', '      apis: [v2.1, v2]\n') +
        rule('v2-only', 'GET', '/limits', '<2.39', '      apis: [v2]\n'),
    ),
  );
  it('legacy /v2 is matched at 2.1 by rules that list it', () => {
    expect(ids(rs, 'GET', '/limits', '2.1', 'v2')).toEqual(['both', 'v2-only']);
    expect(ids(rs, 'GET', '/limits', '2.1', 'v2.1')).toEqual(['v21-only', 'both']);
  });
});

describe('server actions and {action} expansion', () => {
  const rs = ruleSetOf(
    withRules(`
  - id: withhold-metadata
    match:
      methods: [POST]
      path: /servers/{server_id}/action
      versions: ">=2.39"
      serverActions: [createImage, createBackup]
    actions:
      - withhold: { member: "/{action}/metadata", writeTo: image-properties }
      - remove: { pointers: ["/{action}", /image_id] }
  - id: precheck-metadata
    match:
      methods: [POST]
      path: /servers/{server_id}/action
      versions: ">=2.39"
      serverActions: [createBackup]
    actions:
      - precheck: { count: "/{action}/metadata", limit: { value: 3 }, status: 403, message: Image metadata limit exceeded }
  - id: any-action
    match: { methods: [POST], path: "/servers/{server_id}/action", versions: ">=2.39" }
    actions:
      - headers: { X-Seen: "yes" }
`),
  );
  const query: MatchQuery = { method: 'POST', api: 'v2.1', resourcePath: '/servers/abc/action', version: mustParseMicroversion('2.39') };

  it('flags that the body decides and narrows by action name, keeping rule order', () => {
    const m = rs.match(query);
    expect(m.needsServerAction).toBe(true);
    expect(m.rules.map((r) => r.id)).toEqual(['withhold-metadata', 'precheck-metadata', 'any-action']);
    expect(m.forServerAction('createImage').map((r) => r.id)).toEqual(['withhold-metadata', 'any-action']);
    expect(m.forServerAction('createBackup').map((r) => r.id)).toEqual(['withhold-metadata', 'precheck-metadata', 'any-action']);
    expect(m.forServerAction('os-start').map((r) => r.id)).toEqual(['any-action']);
    expect(m.forServerAction(undefined).map((r) => r.id)).toEqual(['any-action']);
  });

  it('replaces {action} in every pointer at compile time', () => {
    const [image] = rs.match(query).forServerAction('createImage');
    expect(image.serverActions).toEqual(['createImage']);
    expect(image.actions).toEqual([
      { kind: 'withhold', member: { source: '/createImage/metadata', tokens: ['createImage', 'metadata'] }, writeTo: 'image-properties' },
      {
        kind: 'remove',
        pointers: [
          { source: '/createImage', tokens: ['createImage'] },
          { source: '/image_id', tokens: ['image_id'] },
        ],
      },
    ]);
    const backup = rs.match(query).forServerAction('createBackup');
    expect(backup[1].actions[0]).toMatchObject({ kind: 'precheck', count: { source: '/createBackup/metadata', tokens: ['createBackup', 'metadata'] } });
  });

  it('keeps the rule as written in ruleSet.rules', () => {
    expect(rs.rules[0].serverActions).toEqual(['createImage', 'createBackup']);
    expect(rs.rules[0].actions[0]).toMatchObject({ member: { source: '/{action}/metadata', tokens: ['{action}', 'metadata'] } });
  });

  it('returns the same precomputed lists on every request', () => {
    expect(rs.match(query).forServerAction('createImage')).toBe(rs.match(query).forServerAction('createImage'));
    expect(rs.match(query)).toBe(rs.match(query));
  });

  it('unrestricted rules alone do not need the body', () => {
    const only = ruleSetOf(withRules(rule('plain', 'POST', '/servers/{id}/action', '>=2.39')));
    const m = only.match(query);
    expect(m.needsServerAction).toBe(false);
    expect(m.forServerAction('anything').map((r) => r.id)).toEqual(['plain']);
  });
});

describe('shadow and disabled rules', () => {
  const rs = ruleSetOf(
    withRules(
      rule('enforced', 'GET', '/limits', '>=2.39') +
        rule('dry-run', 'GET', '/limits', '>=2.39', '') .replace('  - id: dry-run\n', '  - id: dry-run\n    shadow: true\n') +
        rule('off', 'GET', '/limits', '>=2.39').replace('  - id: off\n', '  - id: off\n    enabled: false\n'),
    ),
  );
  it('shadow rules match (flagged), disabled rules never do but stay listed', () => {
    const m = rs.match({ method: 'GET', api: 'v2.1', resourcePath: '/limits', version: mustParseMicroversion('2.39') });
    expect(m.rules.map((r) => [r.id, r.shadow])).toEqual([
      ['enforced', false],
      ['dry-run', true],
    ]);
    expect(rs.rules.map((r) => [r.id, r.enabled])).toEqual([
      ['enforced', true],
      ['dry-run', true],
      ['off', false],
    ]);
  });
});

describe('rule order', () => {
  it('files in ascending microversion order, rules in file order, whatever the file names', () => {
    const r = compileRuleSet([
      { name: 'rules/a-later.yaml', text: withRules(rule('later', 'GET', '/limits', '>=2.1'), '2.40') },
      { name: 'rules/b-earlier.yaml', text: withRules(rule('earlier-1', 'GET', '/limits', '>=2.1') + rule('earlier-2', 'GET', '/{x}'.replace('/{x}', '/limits'), '>=2.1'), '2.39') },
    ]);
    if (!r.ok) throw new Error(r.errors[0].text);
    expect(ids(r.ruleSet, 'GET', '/limits', '2.39')).toEqual(['earlier-1', 'earlier-2', 'later']);
    expect(r.ruleSet.introduced.map((v) => v.text)).toEqual(['2.39', '2.40']);
    expect(r.ruleSet.files.map((f) => f.file)).toEqual(['rules/b-earlier.yaml', 'rules/a-later.yaml']);
  });
});

// ---------------------------------------------------------------------------------------
// Property: the index agrees with a naive scan of the rules.

const LITERALS = ['images', 'servers', 'metadata', 'action', 'detail', 'limits', 'flavors'];
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

const versionArb = fc.tuple(fc.constant(2), fc.integer({ min: 1, max: 14 })).map(([a, b]) => `${a}.${b}`);
const comparatorArb = fc.tuple(fc.constantFrom('>=', '<', '>', '<=', '=', ''), versionArb).map(([op, v]) => `${op}${v}`);
const conjunctionArb = fc.oneof(
  fc.array(comparatorArb, { minLength: 1, maxLength: 2 }).map((cs) => cs.join(' ')),
  fc.tuple(versionArb, versionArb).map(([a, b]) => `${a} - ${b}`),
);
const rangeArb = fc
  .array(conjunctionArb, { minLength: 1, maxLength: 2 })
  .map((cs) => cs.join(' || '))
  .filter((r) => parseMicroversionRange(r).intervals.length > 0);

const templateArb = fc
  .tuple(
    fc.constantFrom(...LITERALS),
    fc.array(fc.oneof(fc.constantFrom(...LITERALS), fc.constant('{p}')), { minLength: 0, maxLength: 3 }),
  )
  .map(([first, rest]) => '/' + [first, ...rest.map((s, i) => (s === '{p}' ? `{p${i}}` : s))].join('/'));

const ruleArb = fc.record({
  methods: fc.subarray([...METHODS], { minLength: 1 }),
  path: templateArb,
  versions: rangeArb,
  apis: fc.constantFrom(['v2.1'], ['v2'], ['v2.1', 'v2']),
  enabled: fc.boolean(),
  shadow: fc.boolean(),
});

const queryArb = fc.record({
  method: fc.constantFrom(...METHODS),
  api: fc.constantFrom<RuleApi>('v2.1', 'v2'),
  segments: fc.array(fc.constantFrom(...LITERALS, 'x', 'abc', 'detail.json', 'metadata.xml', ''), { minLength: 1, maxLength: 4 }),
  suffix: fc.constantFrom('', '', '.json', '.xml', '/', '.json/', '//'),
  version: fc.tuple(fc.constant(2), fc.integer({ min: 1, max: 16 })).map(([a, b]) => `${a}.${b}`),
});

/** An independent reading of the matching rules (regexes, no trie). */
function naive(rules: RuleSet['rules'], q: MatchQuery): string[] {
  let p = q.resourcePath;
  if (p.length > 1 && p.endsWith('/')) p = p.slice(0, -1);
  const candidates = [p];
  const m = /^(.*\/[^/]+)\.(json|xml)$/.exec(p);
  if (m) candidates.push(m[1]);
  return rules
    .filter((r) => {
      if (!r.enabled || !r.methods.includes(q.method as never) || !r.apis.includes(q.api) || !r.versions.includes(q.version)) return false;
      const re = new RegExp('^' + r.path.replace(/\{[^}]+\}/g, '[^/]+') + '$');
      return candidates.some((c) => c !== '/' && re.test(c));
    })
    .map((r) => r.id);
}

describe('the index agrees with a naive scan', () => {
  it('for random rule sets and requests', () => {
    fc.assert(
      fc.property(fc.array(ruleArb, { minLength: 1, maxLength: 40 }), fc.array(queryArb, { minLength: 1, maxLength: 30 }), (rules, queries) => {
        const half = Math.ceil(rules.length / 2);
        const toFile = (rs: typeof rules, offset: number, mv: string) =>
          JSON.stringify({
            microversion: mv,
            title: 't',
            rules: rs.map((r, i) => ({
              id: `r${offset + i}`,
              enabled: r.enabled,
              shadow: r.shadow,
              // A /v2-only rule must admit 2.1 (the version /v2 runs at), or it is refused as never matching.
              match: { methods: r.methods, path: r.path, versions: r.apis.length === 1 && r.apis[0] === 'v2' ? `${r.versions} || =2.1` : r.versions, apis: r.apis },
              actions: [{ headers: { 'X-Rule': `r${offset + i}` } }],
            })),
          });
        const result = compileRuleSet([
          { name: 'a.json', text: toFile(rules.slice(0, half), 0, '2.39') },
          { name: 'b.json', text: toFile(rules.slice(half), half, '2.40') },
        ]);
        if (!result.ok) throw new Error(result.errors.map((e) => e.text).join('\n'));
        for (const q of queries) {
          const query: MatchQuery = {
            method: q.method,
            api: q.api,
            resourcePath: '/' + q.segments.join('/') + q.suffix,
            version: mustParseMicroversion(q.version),
          };
          expect([query.resourcePath, result.ruleSet.match(query).rules.map((r) => r.id)]).toEqual([
            query.resourcePath,
            naive(result.ruleSet.rules, query),
          ]);
        }
      }),
      { numRuns: 300 },
    );
  });
});
