import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { changelogCommand, checkCommand, explainCommand } from '../../gateway/rules/commands';
import { emptyRuleSet, loadRuleSet } from '../../gateway/rules/load';
import { mustParseMicroversion } from '../../gateway/microversion/version';

const RULES_DIR = path.join(__dirname, '../../rules');
const SHIPPED = path.join(RULES_DIR, '2.39-image-metadata.yaml');

async function run(command: (out: { write(t: string): void }) => Promise<number>): Promise<{ code: number; text: string; lines: string[] }> {
  let text = '';
  const code = await command({ write: (t) => void (text += t) });
  return { code, text, lines: text.split('\n') };
}

let tmp: string;
beforeEach(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'rules-test-'));
});
afterEach(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

async function dirWith(files: Record<string, string>): Promise<string> {
  for (const [name, text] of Object.entries(files)) await fs.writeFile(path.join(tmp, name), text);
  return tmp;
}

const fileFor = (mv: string, id: string, title = `Change ${mv}`) =>
  `microversion: "${mv}"\ntitle: ${title}\ndescription: What ${mv} changes.\nrules:\n  - id: ${id}\n    match: { methods: [GET], path: /os-thing, versions: ">=${mv}" }\n    actions:\n      - headers: { X-Thing: "${mv}" }\n`;

describe('loadRuleSet', () => {
  it('loads the shipped directory', async () => {
    const r = await loadRuleSet(RULES_DIR);
    if (!r.ok) throw new Error(r.errors.map((e) => e.text).join('\n'));
    expect(r.warnings).toEqual([]);
    expect(r.ruleSet.files.map((f) => [f.file, f.microversion.text, f.title])).toEqual([
      [SHIPPED.replace(RULES_DIR, RULES_DIR), '2.39', 'Image-metadata proxy API deprecated'],
    ]);
    expect(r.ruleSet.rules.map((x) => [x.id, x.enabled])).toEqual([
      ['image-metadata-collection-removed', true],
      ['image-metadata-item-removed', true],
      ['limits-no-max-image-meta', true],
      ['image-create-metadata-to-glance', true],
      ['image-create-metadata-quota-precheck', false],
    ]);
    const respond = r.ruleSet.rules[0].actions[0];
    expect(respond).toMatchObject({ kind: 'respond', status: 404, message: 'The resource could not be found.' });
    expect(respond.kind === 'respond' && respond.body.toString()).toBe(
      '{"itemNotFound": {"code": 404, "message": "The resource could not be found."}}',
    );
  });

  it('a missing directory is a valid empty set, with a warning', async () => {
    const r = await loadRuleSet(path.join(tmp, 'nope'));
    expect(r).toMatchObject({ ok: true, warnings: [`rule directory ${path.join(tmp, 'nope')} does not exist: no rules loaded`] });
    if (r.ok) expect(r.ruleSet.rules).toEqual([]);
  });

  it('an empty directory is a valid empty set', async () => {
    const r = await loadRuleSet(tmp);
    expect(r).toMatchObject({ ok: true, warnings: [] });
    if (r.ok) {
      expect(r.ruleSet.hash).toBe(emptyRuleSet().hash);
      expect(r.ruleSet.match({ method: 'GET', api: 'v2.1', resourcePath: '/limits', version: mustParseMicroversion('2.39') }).rules).toEqual([]);
    }
  });

  it('accepts JSON files, ignores schemas and other files, reports the file in errors', async () => {
    await dirWith({
      'a.json': JSON.stringify({ microversion: '2.40', title: 't', rules: [] }, null, '\t'),
      'rule-file.schema.json': '{ not a rule file',
      'README.md': '# notes',
      'b.yml': 'microversion: "2.41"\ntitle: t\nrules: []\nextra: 1\n',
    });
    const r = await loadRuleSet(tmp);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.map((e) => e.text)).toEqual([`${path.join(tmp, 'b.yml')}:4:1: unknown key "extra" in rule file (expected one of "$schema", "microversion", "title", "description", "rules", "examples")`]);
  });

  it('hashes names and contents, independent of the directory path', async () => {
    await dirWith({ 'x.yaml': fileFor('2.40', 'r1') });
    const a = await loadRuleSet(tmp);
    const b = await loadRuleSet(tmp + path.sep);
    await fs.writeFile(path.join(tmp, 'x.yaml'), fileFor('2.40', 'r2'));
    const c = await loadRuleSet(tmp);
    if (!a.ok || !b.ok || !c.ok) throw new Error('load failed');
    expect(a.ruleSet.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(b.ruleSet.hash).toBe(a.ruleSet.hash);
    expect(c.ruleSet.hash).not.toBe(a.ruleSet.hash);
  });
});

describe('check', () => {
  it('on the shipped file: lists files, rules, microversions, the advertised range and passing examples', async () => {
    const { code, lines, text } = await run((out) => checkCommand({ dir: RULES_DIR, upstreamMaxVersion: '2.38', out }));
    expect(code).toBe(0);
    expect(lines[0]).toBe(`rule files in ${RULES_DIR}: 1`);
    expect(lines[1]).toMatch(/2\.39-image-metadata\.yaml {2}microversion 2\.39 {2}"Image-metadata proxy API deprecated" {2}\(5 rules, \d+ examples\)$/);
    expect(lines[2]).toBe('rules: 5 (4 enforced, 0 shadow, 1 disabled)');
    expect(lines).toContain(`  image-create-metadata-quota-precheck  [disabled]  ${SHIPPED}:82:5`);
    expect(lines).toContain('      GET,POST,PUT /images/{image_id}/metadata  versions >=2.39  apis v2.1');
    expect(lines).toContain('      POST /servers/{server_id}/action [createImage, createBackup]  versions <2.39  apis v2.1,v2');
    expect(lines).toContain('      - respond 404 "The resource could not be found." (not forwarded)');
    expect(lines).toContain('microversions introduced: 2.39');
    expect(lines).toContain('advertised range: 2.1 – 2.39 (upstream max 2.38 raised by the rule files for 2.39)');
    expect(text).toMatch(/examples: (\d+) passed, 0 failed \(upstream max 2\.38, advertised max 2\.39\)/);
    expect(lines.filter((l) => l.startsWith('  pass  ')).length).toBeGreaterThanOrEqual(20);
    expect(text).not.toMatch(/FAIL/);
    expect(lines).toContain('result: ok');
  });

  it('the shipped examples also pass over a modern upstream', async () => {
    const { code, text } = await run((out) => checkCommand({ dir: RULES_DIR, upstreamMaxVersion: '2.93', out }));
    expect(code).toBe(0);
    expect(text).toContain('advertised range: 2.1 – 2.93 (upstream max 2.93, not raised)');
  });

  it('without an upstream maximum, says how to get the advertised range and which one the examples assume', async () => {
    const { code, text } = await run((out) => checkCommand({ dir: RULES_DIR, out }));
    expect(code).toBe(0);
    expect(text).toContain('advertised range: give --upstream-max-version to compute it');
    expect(text).toMatch(/upstream max 2\.38, assumed: the version below the lowest one introduced/);
  });

  it('stops the raise at a gap and says why', async () => {
    const dir = await dirWith({ '2.39.yaml': fileFor('2.39', 'a'), '2.41.yaml': fileFor('2.41', 'b') });
    const { code, lines } = await run((out) => checkCommand({ dir, upstreamMaxVersion: '2.38', out }));
    expect(code).toBe(0);
    expect(lines).toContain('microversions introduced: 2.39, 2.41');
    expect(lines).toContain('advertised range: 2.1 – 2.39 (upstream max 2.38 raised by the rule files for 2.39)');
    expect(lines).toContain('warning: no rule file introduces 2.40, so 2.41 cannot be advertised (the raise stops at 2.39)');
  });

  it('prints located errors one per line and exits 1', async () => {
    const dir = await dirWith({
      'bad.yaml': 'microversion: "2.39"\ntitle: t\nrules:\n  - id: limits-drop-max-image-meta\n    match: { methods: [GET], path: /limits, versions: ">=2.39" }\n    actions:\n      - remove:\n          pointer: [/limits/absolute/maxImageMeta]\n',
    });
    const { code, lines } = await run((out) => checkCommand({ dir, out }));
    expect(code).toBe(1);
    expect(lines).toEqual([
      `${path.join(dir, 'bad.yaml')}:8:11: rule "limits-drop-max-image-meta": unknown key "pointer" in remove action (expected "pointers")`,
      `1 error: the rule set in ${dir} is refused (nothing from it is used)`,
      '',
    ]);
  });

  it('reports a failing example with its location and exits 1', async () => {
    const dir = await dirWith({
      'x.yaml':
        fileFor('2.39', 'thing') +
        'examples:\n  - name: wrong on purpose\n    request: { method: GET, path: /v2.1/os-thing, version: "2.39" }\n    expect: { respond: 404 }\n',
    });
    const { code, lines } = await run((out) => checkCommand({ dir, upstreamMaxVersion: '2.38', out }));
    expect(code).toBe(1);
    expect(lines).toContain(
      `  FAIL  ${path.join(dir, 'x.yaml')}:10:5: example "wrong on purpose": expected respond 404, got forward at 2.38, rules [thing]`,
    );
    expect(lines).toContain('result: 1 example failed');
  });

  it('refuses a bad upstream maximum (exit 2)', async () => {
    const { code, text } = await run((out) => checkCommand({ dir: RULES_DIR, upstreamMaxVersion: '2.38.1', out }));
    expect(code).toBe(2);
    expect(text).toBe('error: upstream max version "2.38.1" is not a microversion X.Y\n');
  });
});

describe('explain', () => {
  it('a 404 from 2.39', async () => {
    const { code, lines } = await run((out) =>
      explainCommand({ dir: RULES_DIR, method: 'GET', path: '/v2.1/c0ffee/images/abc/metadata.json', version: '2.39', upstreamMaxVersion: '2.38', out }),
    );
    expect(code).toBe(0);
    expect(lines).toEqual([
      'request       GET /v2.1/c0ffee/images/abc/metadata.json',
      'version       OpenStack-API-Version: compute 2.39',
      expect.stringMatching(/^rule set      1 files, 5 rules, hash [0-9a-f]{12}$/),
      'advertised    2.1 – 2.39 (upstream max 2.38 raised by the rule files for 2.39)',
      'canonical     /v2.1/c0ffee/images/abc/metadata.json (unchanged)',
      'route         v2.1, project id c0ffee, resource path /images/abc/metadata.json',
      'negotiated    2.39 (asked "2.39")',
      `rules         image-metadata-collection-removed (enforced; ${SHIPPED}:17:5)`,
      'decision      respond 404 {"itemNotFound": {"code": 404, "message": "The resource could not be found."}}  (by respond of "image-metadata-collection-removed"; not forwarded)',
      'steps         1. request  image-metadata-collection-removed: respond 404 "The resource could not be found." (not forwarded)',
      'summary       respond 404 by respond of "image-metadata-collection-removed", rules [image-metadata-collection-removed]',
      '',
    ]);
  });

  it('createImage from 2.39: forwarded at the upstream max with the metadata withheld', async () => {
    const { code, text } = await run((out) =>
      explainCommand({
        dir: RULES_DIR,
        method: 'post',
        path: '/v2.1/servers/abc/action',
        version: '2.39',
        body: '{"createImage": {"name": "snap", "metadata": {"a": "1"}}}',
        upstreamMaxVersion: '2.38',
        out,
      }),
    );
    expect(code).toBe(0);
    expect(text).toContain('server action createImage\n');
    expect(text).toContain('decision      forward at 2.38 (negotiated 2.39 is above the upstream max 2.38; the answer reports 2.39)\n');
    expect(text).toContain(
      'steps         1. request  image-create-metadata-to-glance: withhold /createImage/metadata from the request body, then write it to image-properties after a 2xx answer\n',
    );
  });

  it('a refused path and a refused version', async () => {
    const refused = await run((out) => explainCommand({ dir: RULES_DIR, method: 'GET', path: '/v2.1/images/a%2Fb/metadata', out }));
    expect(refused.text).toContain('canonical     refused: encoded-delimiter\n');
    expect(refused.text).toContain(
      'decision      refuse 400: Malformed request URL: percent-encoded / \\ ; ? or # in path.  ' +
        '{"badRequest": {"code": 400, "message": "Malformed request URL: percent-encoded / \\\\ ; ? or # in path."}}\n',
    );
    const version = await run((out) => explainCommand({ dir: RULES_DIR, method: 'GET', path: '/v2.1/limits', version: '2.1.3', out }));
    expect(version.text).toContain('negotiated    refused (asked "2.1.3")\n');
    expect(version.text).toContain(
      'decision      refuse 400: API Version String 2.1.3 is of invalid format. Must be of format MajorNum.MinorNum.  {"badRequest": {"code": 400, "message": "API Version String 2.1.3 is of invalid format. Must be of format MajorNum.MinorNum."}}\n',
    );
    const high = await run((out) => explainCommand({ dir: RULES_DIR, method: 'GET', path: '/v2.1/limits', version: '2.40', upstreamMaxVersion: '2.38', out }));
    expect(high.text).toContain('(version headers echo 2.40)');
  });

  it('refuses a body that is not JSON (exit 2)', async () => {
    const { code, text } = await run((out) => explainCommand({ dir: RULES_DIR, method: 'POST', path: '/v2.1/limits', body: '{bad', out }));
    expect(code).toBe(2);
    expect(text).toMatch(/^error: --body is not JSON: /);
  });
});

describe('changelog', () => {
  it('renders the shipped file', async () => {
    const { code, text, lines } = await run((out) => changelogCommand({ dir: RULES_DIR, out }));
    expect(code).toBe(0);
    expect(lines.slice(0, 5)).toEqual([
      '# Compute API microversions emulated by the gateway',
      '',
      'Generated from the rule files by `microversion-gateway changelog`; edit the rule files, not this text.',
      '',
      '## 2.39 — Image-metadata proxy API deprecated',
    ]);
    expect(text).toContain(
      '- `GET | POST | PUT /images/{image_id}/metadata` at `>=2.39`: respond 404 "The resource could not be found." (not forwarded). Rule `image-metadata-collection-removed`.\n',
    );
    expect(text).toContain('- `GET /limits` at `>=2.39`: remove `/limits/absolute/maxImageMeta` from a 2xx JSON answer. Rule `limits-no-max-image-meta`.\n');
    expect(text).toMatch(/- `POST \/servers\/\{server_id\}\/action` \(`createImage`, `createBackup`\) at `<2\.39`, APIs v2\.1 and v2: precheck: .* Rule `image-create-metadata-quota-precheck` — \*disabled\*\.\n/);
    expect(text.endsWith('\n')).toBe(true);
  });

  it('one section per microversion, ascending', async () => {
    const dir = await dirWith({ 'a.yaml': fileFor('2.40', 'later', 'Later'), 'b.yaml': fileFor('2.9', 'earliest', 'Earliest'), 'c.yaml': fileFor('2.10', 'middle', 'Middle') });
    const { text } = await run((out) => changelogCommand({ dir, out }));
    const headings = text.split('\n').filter((l) => l.startsWith('## '));
    expect(headings).toEqual(['## 2.9 — Earliest', '## 2.10 — Middle', '## 2.40 — Later']);
    expect(text).toContain('## 2.10 — Middle\n\nWhat 2.10 changes.\n\n- `GET /os-thing` at `>=2.10`: add headers X-Thing: 2.10. Rule `middle`.\n');
  });

  it('refuses an invalid set', async () => {
    const dir = await dirWith({ 'a.yaml': 'microversion: "2.40"\n' });
    const { code, text } = await run((out) => changelogCommand({ dir, out }));
    expect(code).toBe(1);
    expect(text).toContain('missing required key "title" in rule file');
  });
});
