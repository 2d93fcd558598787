/**
 * Hot reload of the rules directory: watched (debounced), validated whole, swapped
 * atomically; an invalid set is refused with located errors and the last good set stays.
 */
import { mkdirSync, readlinkSync, renameSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { hashFiles } from '../../gateway/rules/compile';
import { checkCommand } from '../../gateway/rules/commands';
import { startTestUpstream, novaLikeJson, type TestUpstream } from '../support/recordingUpstream';
import {
  getAt, readyz, ruleFile, sampleKey, scrape, sleep, startOpsGateway, tempRulesDir, waitFor, type OpsGateway,
} from './helpers';

const META = '/v2.1/images/70a599e0-31e7-49b7-b260-868f441e862b/metadata';
const LIMITS = '{"limits": {"rate": [], "absolute": {"maxImageMeta": 128, "maxServerMeta": 128}}}';
const WATCH = { debounceMs: 100, maxWaitMs: 1000 };

/** Set A: image metadata answers 404 from 2.39. */
const SET_A = ruleFile('2.39', [{ id: 'meta-gone', path: '/images/{image_id}/metadata', actions: '[{ respond: { status: 404 } }]' }]);
/** Set B: image metadata is proxied again; limits lose maxImageMeta from 2.39. */
const SET_B = ruleFile('2.39', [{ id: 'limits-trim', path: '/limits', actions: '[{ remove: { pointers: [/limits/absolute/maxImageMeta] } }]' }]);
/** Line 8 holds a version range that is not one. */
const INVALID = SET_A.replace('versions: ">=2.39"', 'versions: ">=banana"');

const hashOf = (files: Record<string, string>) => hashFiles(Object.entries(files).map(([name, text]) => ({ name, text })));

let upstream: TestUpstream;
beforeAll(async () => {
  upstream = await startTestUpstream(novaLikeJson(200, LIMITS));
});
afterAll(async () => {
  await upstream.close();
});

/** Starts a gateway on `dir`, runs `body`, always closes it. */
async function withGateway(dir: string, body: (gw: OpsGateway) => Promise<void>, watch: boolean | typeof WATCH = WATCH): Promise<void> {
  const gw = await startOpsGateway({ upstream: upstream.url, rulesDir: dir, watch: watch ? (watch === true ? WATCH : watch) : undefined });
  try {
    await body(gw);
  } finally {
    await gw.close(1000);
  }
}

const reloads = async (gw: OpsGateway) => {
  const { samples } = await scrape(gw);
  return {
    success: samples.get(sampleKey('gateway_rule_reloads_total', { result: 'success' })),
    failure: samples.get(sampleKey('gateway_rule_reloads_total', { result: 'failure' })),
  };
};

const waitForHash = (gw: OpsGateway, hash: string) => waitFor(() => gw.state.ruleSet.hash === hash, `rule set hash ${hash.slice(0, 12)}`);

test('a valid edit is picked up by the watcher and swapped in whole', async () => {
  const dir = tempRulesDir({ 'a.yaml': SET_A });
  await withGateway(dir, async (gw) => {
    expect((await getAt(gw.proxyUrl, META, '2.39')).status).toBe(404);
    const before = gw.state.ruleSet.hash;
    expect(before).toBe(hashOf({ 'a.yaml': SET_A }));
    expect((await readyz(gw)).body.ruleSetHash).toBe(before);

    writeFileSync(path.join(dir, 'a.yaml'), SET_B);
    const after = hashOf({ 'a.yaml': SET_B });
    await waitForHash(gw, after);

    const meta = await getAt(gw.proxyUrl, META, '2.39');
    expect(meta.status).toBe(200);
    const limits = await getAt(gw.proxyUrl, '/v2.1/limits', '2.39');
    expect(JSON.parse(limits.body)).toEqual({ limits: { rate: [], absolute: { maxServerMeta: 128 } } });

    const ready = await readyz(gw);
    expect(ready.body).toMatchObject({ status: 'ready', ruleSetHash: after, rules: 1, lastReloadError: null });
    const { samples } = await scrape(gw);
    expect(samples.get(sampleKey('gateway_rule_reloads_total', { result: 'success' }))).toBe(1);
    expect(samples.get(sampleKey('gateway_rule_reloads_total', { result: 'failure' }))).toBe(0);
    expect(samples.get(sampleKey('gateway_rule_set_info', { hash: after }))).toBe(1);
    expect(samples.has(sampleKey('gateway_rule_set_info', { hash: before }))).toBe(false);
    expect(samples.get(sampleKey('gateway_rules_loaded', { state: 'enforced' }))).toBe(1);
    const lastSuccess = samples.get('gateway_rule_reload_last_success_timestamp_seconds')!;
    expect(Math.abs(lastSuccess - Date.now() / 1000)).toBeLessThan(10);

    const line = gw.logs.find((l) => l.msg === 'rules reloaded');
    expect(line).toMatchObject({ level: 'info', reason: 'watch', result: 'success', changed: true, hash: after, previousHash: before, rules: 1 });
  });
});

test('an invalid edit is refused with located errors; the last good set stays in force', async () => {
  const dir = tempRulesDir({ 'a.yaml': SET_A });
  await withGateway(dir, async (gw) => {
    const good = gw.state.ruleSet.hash;
    writeFileSync(path.join(dir, 'a.yaml'), INVALID);
    await waitFor(async () => (await reloads(gw)).failure === 1, 'a refused reload');

    expect(gw.state.ruleSet.hash).toBe(good);
    expect((await getAt(gw.proxyUrl, META, '2.39')).status).toBe(404);
    const file = path.join(dir, 'a.yaml');
    const badLine = INVALID.split('\n').findIndex((l) => l.includes('banana')) + 1;
    const located = new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:${badLine}:\\d+: rule "meta-gone": `);

    const ready = await readyz(gw);
    expect(ready.status).toBe(200);
    expect(ready.body.ruleSetHash).toBe(good);
    expect(ready.body.lastReloadError).toMatch(located);

    const refused = gw.logs.find((l) => l.msg === 'rule reload refused; the last good rule set stays in force');
    expect(refused).toMatchObject({ level: 'error', reason: 'watch', result: 'failure', activeHash: good });
    expect((refused!.errors as string[])[0]).toMatch(located);
    expect(await reloads(gw)).toEqual({ success: 0, failure: 1 });

    // Fixing the file clears the error.
    writeFileSync(file, SET_B);
    await waitForHash(gw, hashOf({ 'a.yaml': SET_B }));
    expect((await readyz(gw)).body.lastReloadError).toBeNull();
    expect(await reloads(gw)).toEqual({ success: 1, failure: 1 });
  });
});

test('the errors of a refused reload are the ones `check` prints', async () => {
  const dir = tempRulesDir({ 'a.yaml': SET_A });
  await withGateway(dir, async (gw) => {
    writeFileSync(path.join(dir, 'a.yaml'), INVALID);
    const result = await gw.reloadRules('SIGHUP');
    expect(result.ok).toBe(false);
    let printed = '';
    await checkCommand({ dir, out: { write: (t: string) => (printed += t) } });
    for (const e of (result as { errors: readonly string[] }).errors) expect(printed).toContain(e);
  }, false);
});

test('rapid successive edits are debounced into one reload of the final set', async () => {
  const dir = tempRulesDir({ 'a.yaml': SET_A });
  await withGateway(dir, async (gw) => {
    const file = path.join(dir, 'a.yaml');
    // Each write truncates first: read mid-way, the file would be empty or half a set.
    for (let i = 0; i < 20; i++) {
      writeFileSync(file, ruleFile('2.39', [{ id: `step-${i}`, path: '/limits', actions: '[{ remove: { pointers: [/limits/absolute/maxServerMeta] } }]' }]));
      writeFileSync(file, INVALID);
    }
    writeFileSync(file, SET_B);
    await waitForHash(gw, hashOf({ 'a.yaml': SET_B }));
    await sleep(WATCH.debounceMs * 3); // nothing else is still to come
    expect(await reloads(gw)).toEqual({ success: 1, failure: 0 });
    expect(gw.state.ruleSet.rules.map((r) => r.id)).toEqual(['limits-trim']);
    expect(gw.logs.filter((l) => l.msg.startsWith('rules reloaded'))).toHaveLength(1);
  });
});

test('a directory that keeps changing is still reloaded within maxWaitMs', async () => {
  const dir = tempRulesDir({ 'a.yaml': SET_A });
  await withGateway(dir, async (gw) => {
    const file = path.join(dir, 'a.yaml');
    const stopAt = Date.now() + 1500;
    let i = 0;
    let reloadedWhileBusy = false;
    while (Date.now() < stopAt) {
      writeFileSync(file, i++ % 2 ? SET_A : SET_B);
      await sleep(WATCH.debounceMs / 4);
      if ((await reloads(gw)).success) reloadedWhileBusy = true;
    }
    expect(reloadedWhileBusy).toBe(true);
  }, { debounceMs: 100, maxWaitMs: 300 });
});

test('an editor-style save (write a temporary file, rename it over the rule file) reloads', async () => {
  const dir = tempRulesDir({ 'a.yaml': SET_A });
  await withGateway(dir, async (gw) => {
    writeFileSync(path.join(dir, '.a.yaml.swp'), 'editor state');
    writeFileSync(path.join(dir, 'a.yaml.tmp'), SET_B);
    renameSync(path.join(dir, 'a.yaml.tmp'), path.join(dir, 'a.yaml'));
    await waitForHash(gw, hashOf({ 'a.yaml': SET_B }));
    expect((await getAt(gw.proxyUrl, META, '2.39')).status).toBe(200);
  });
});

test('a new file and a deleted file each reload', async () => {
  const dir = tempRulesDir({ 'a.yaml': SET_A });
  await withGateway(dir, async (gw) => {
    const extra = ruleFile('2.40', [{ id: 'servers-gone', path: '/os-cells', actions: '[{ respond: { status: 404 } }]' }]);
    writeFileSync(path.join(dir, 'b.yaml'), extra);
    await waitForHash(gw, hashOf({ 'a.yaml': SET_A, 'b.yaml': extra }));
    unlinkSync(path.join(dir, 'a.yaml'));
    await waitForHash(gw, hashOf({ 'b.yaml': extra }));
    // No file introduces 2.39 any more: the advertised range follows the rule set.
    expect((await readyz(gw)).body.advertisedVersions).toEqual({ min: '2.1', max: '2.38' });
    expect((await getAt(gw.proxyUrl, META, '2.39')).status).toBe(406);
  });
});

/**
 * A Kubernetes ConfigMap volume: the files are symlinks `name -> ..data/name`, `..data` is
 * a symlink to a timestamped directory, and an update writes a new timestamped directory,
 * points `..data_tmp` at it, renames `..data_tmp` over `..data` (atomic), adds symlinks for
 * new names, removes those of dropped names and deletes the old directory.
 */
describe('ConfigMap-style symlink swap', () => {
  function configMapDir(payload: Record<string, string>): string {
    const dir = tempRulesDir();
    const ts = '..2026_12_04_10_00_00.000000001';
    mkdirSync(path.join(dir, ts));
    for (const [name, text] of Object.entries(payload)) writeFileSync(path.join(dir, ts, name), text);
    symlinkSync(ts, path.join(dir, '..data'));
    for (const name of Object.keys(payload)) symlinkSync(path.join('..data', name), path.join(dir, name));
    return dir;
  }

  function updateConfigMap(dir: string, from: Record<string, string>, to: Record<string, string>, seq: number): void {
    const oldTs = readlinkSync(path.join(dir, '..data'));
    const ts = `..2026_12_04_10_00_0${seq}.00000000${seq}`;
    mkdirSync(path.join(dir, ts));
    for (const [name, text] of Object.entries(to)) writeFileSync(path.join(dir, ts, name), text);
    symlinkSync(ts, path.join(dir, '..data_tmp'));
    renameSync(path.join(dir, '..data_tmp'), path.join(dir, '..data'));
    for (const name of Object.keys(to)) if (!(name in from)) symlinkSync(path.join('..data', name), path.join(dir, name));
    for (const name of Object.keys(from)) if (!(name in to)) unlinkSync(path.join(dir, name));
    rmSync(path.join(dir, oldTs), { recursive: true });
  }

  const C = ruleFile('2.40', [{ id: 'cells-gone', path: '/os-cells', actions: '[{ respond: { status: 404 } }]' }]);
  const D = ruleFile('2.40', [{ id: 'networks-gone', path: '/os-networks', actions: '[{ respond: { status: 404 } }]' }]);

  test('the loader reads through the symlinks and skips ..data and the timestamped directories', async () => {
    const payload = { 'a.yaml': SET_A, 'c.yaml': C };
    const dir = configMapDir(payload);
    await withGateway(dir, async (gw) => {
      expect(gw.state.ruleSet.hash).toBe(hashOf(payload));
      expect(gw.state.ruleSet.rules.map((r) => r.id)).toEqual(['meta-gone', 'cells-gone']);
    }, false);
  });

  test('swapping ..data (a file changed, one added, one removed) reloads the new set once', async () => {
    const payload = { 'a.yaml': SET_A, 'c.yaml': C };
    const dir = configMapDir(payload);
    await withGateway(dir, async (gw) => {
      const next = { 'a.yaml': SET_B, 'd.yaml': D };
      updateConfigMap(dir, payload, next, 2);
      await waitForHash(gw, hashOf(next));
      expect(gw.state.ruleSet.rules.map((r) => r.id)).toEqual(['limits-trim', 'networks-gone']);
      expect((await getAt(gw.proxyUrl, META, '2.39')).status).toBe(200);
      expect((await getAt(gw.proxyUrl, '/v2.1/os-networks', '2.40')).status).toBe(404);
      await sleep(WATCH.debounceMs * 3);
      expect(await reloads(gw)).toEqual({ success: 1, failure: 0 });

      // And again: the watch survives the swap.
      updateConfigMap(dir, next, payload, 3);
      await waitForHash(gw, hashOf(payload));
    });
  });
});

test('SIGHUP-style reload without a watch; a vanished directory is refused, not read as "no rules"', async () => {
  const dir = tempRulesDir({ 'a.yaml': SET_A });
  await withGateway(dir, async (gw) => {
    writeFileSync(path.join(dir, 'a.yaml'), SET_B);
    await sleep(WATCH.debounceMs * 3);
    expect(gw.state.ruleSet.hash).toBe(hashOf({ 'a.yaml': SET_A })); // not watched
    const ok = await gw.reloadRules('SIGHUP');
    expect(ok).toEqual({ ok: true, changed: true, hash: hashOf({ 'a.yaml': SET_B }), rules: 1 });
    expect(gw.logs.find((l) => l.msg === 'rules reloaded')).toMatchObject({ reason: 'SIGHUP' });

    const unchanged = await gw.reloadRules('SIGHUP');
    expect(unchanged).toMatchObject({ ok: true, changed: false });

    renameSync(dir, dir + '.away');
    try {
      const refused = await gw.reloadRules('SIGHUP');
      expect(refused.ok).toBe(false);
      expect((refused as { errors: readonly string[] }).errors[0]).toMatch(/cannot read rule directory/);
      expect(gw.state.ruleSet.rules.map((r) => r.id)).toEqual(['limits-trim']);
    } finally {
      renameSync(dir + '.away', dir);
    }
    expect((await gw.reloadRules('SIGHUP')).ok).toBe(true);
    expect((await readyz(gw)).body.lastReloadError).toBeNull();
  }, false);
});

test('concurrent reload requests are serialised and the last one reads the final state', async () => {
  const dir = tempRulesDir({ 'a.yaml': SET_A });
  await withGateway(dir, async (gw) => {
    const first = gw.reloadRules('SIGHUP');
    expect(gw.reloadRules('SIGHUP')).toBe(first); // not started yet: it will read the latest state, so it is shared
    await new Promise((r) => setImmediate(r)); // now it runs
    writeFileSync(path.join(dir, 'a.yaml'), SET_B);
    const second = gw.reloadRules('SIGHUP');
    const third = gw.reloadRules('SIGHUP'); // joins the queued one
    expect(second).not.toBe(first);
    expect(third).toBe(second);
    await first;
    expect(await second).toMatchObject({ ok: true, hash: hashOf({ 'a.yaml': SET_B }) });
    expect(gw.state.ruleSet.hash).toBe(hashOf({ 'a.yaml': SET_B }));
  }, false);
});

test('a replaced directory (new inode) is watched again after a SIGHUP', async () => {
  const dir = tempRulesDir({ 'a.yaml': SET_A });
  await withGateway(dir, async (gw) => {
    const fresh = tempRulesDir({ 'a.yaml': SET_B });
    renameSync(dir, dir + '.old');
    renameSync(fresh, dir);
    expect(await gw.reloadRules('SIGHUP')).toMatchObject({ ok: true, changed: true, hash: hashOf({ 'a.yaml': SET_B }) });
    // The watch now follows the new directory.
    writeFileSync(path.join(dir, 'a.yaml'), SET_A);
    await waitForHash(gw, hashOf({ 'a.yaml': SET_A }));
  });
});
