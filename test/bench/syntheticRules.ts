import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * A rules directory with the shipped files plus `count` synthetic but valid rules, spread over
 * ten files introducing 2.40 … 2.49 (so the gateway advertises up to 2.49, as a real rule set
 * emulating many microversions would). None of them applies to GET /servers/detail at 2.39,
 * but many sit on the same trie nodes as the measured route (/servers/detail at other
 * versions, /servers/{server_id}/…, other methods), so the lookup does real work.
 */
export function syntheticRulesDir(shippedDir: string, count = 1000): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'mvgw-bench-rules-'));
  cpSync(shippedDir, dir, { recursive: true });
  const files = 10;
  const perFile = Math.ceil(count / files);
  let made = 0;
  for (let f = 0; f < files && made < count; f++) {
    const minor = 40 + f;
    const lines: string[] = [
      `microversion: "2.${minor}"`,
      `title: Synthetic bench rules for 2.${minor}`,
      'rules:',
    ];
    for (let j = 0; j < perFile && made < count; j++, made++) lines.push(...rule(made, minor));
    writeFileSync(path.join(dir, `2.${minor}-bench-synthetic.yaml`), lines.join('\n') + '\n');
  }
  return dir;
}

function rule(i: number, minor: number): string[] {
  const since = `">=2.${minor}"`;
  const respond = '      - respond: { status: 404 }';
  const headers = '      - headers: { Deprecation: "true", Sunset: "Sat, 01 Jan 2028 00:00:00 GMT" }';
  const remove = `      - remove: { pointers: [/bench/member${i}] }`;
  const anyAction = [respond, headers, remove][i % 3];
  const noBodyEdit = i % 2 ? respond : headers;
  const make = (methods: string, p: string, versions: string, action: string, extra: string[] = []) => [
    `  - id: bench-${String(i).padStart(4, '0')}`,
    '    match:',
    `      methods: [${methods}]`,
    `      path: ${p}`,
    `      versions: ${versions}`,
    ...extra,
    '    actions:',
    action,
  ];
  switch (i % 10) {
    case 0: // The measured route's own leaf, at versions that exclude 2.39.
      return make('GET', '/servers/detail', `">=2.${minor} <2.${minor + 1}"`, anyAction);
    case 1: // A parameter sibling of /servers/detail, at later versions.
      return make('GET', '/servers/{server_id}', since, anyAction);
    case 2: // Deeper under /servers.
      return make('GET, PUT', `/servers/{server_id}/os-bench-${i}`, since, noBodyEdit);
    case 3: // Below the measured path, other methods.
      return make('PUT, DELETE', `/servers/detail/os-bench-${i}`, '">=2.1"', noBodyEdit);
    case 4: // Server actions.
      return make('POST', '/servers/{server_id}/action', since, respond, [`      serverActions: [benchAction${i}]`]);
    default: // Resources of their own.
      return make(i % 2 ? 'GET' : 'GET, PUT, DELETE', `/os-bench-${i}/{id}/items/{item}`, i % 4 ? since : '"<2.30"', anyAction);
  }
}

export function writeRulesFile(dir: string, name: string, text: string): void {
  writeFileSync(path.join(dir, name), text);
}
