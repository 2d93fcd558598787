/**
 * "Looked up, never scanned": once compiled, matching never asks a rule's range whether it
 * includes the version, so a request costs the same with 10 rules or 1,000.
 */
const mockRangeChecks = { count: 0 };

jest.mock('../../gateway/microversion/range', () => {
  const actual = jest.requireActual('../../gateway/microversion/range');
  return {
    ...actual,
    parseMicroversionRange: (source: string) => {
      const range = actual.parseMicroversionRange(source);
      return {
        ...range,
        includes: (v: { key: number }) => {
          mockRangeChecks.count++;
          return range.includes(v);
        },
      };
    },
  };
});

import { mustParseMicroversion } from '../../gateway/microversion/version';
import { compileRuleSet } from '../../gateway/rules/compile';
import type { RuleSet } from '../../gateway/rules/types';

function ruleSetWith(n: number): RuleSet {
  const rules = Array.from({ length: n }, (_, i) => ({
    id: `r${i}`,
    match: {
      methods: ['GET'],
      path: i === 0 ? '/limits' : `/os-thing-${i % 97}/{id}/sub-${i}`,
      versions: `>=2.${(i % 90) + 1}`,
    },
    actions: [{ headers: { 'X-Rule': `r${i}` } }],
  }));
  const r = compileRuleSet([{ name: 'big.json', text: JSON.stringify({ microversion: '2.39', title: 't', rules }) }]);
  if (!r.ok) throw new Error(r.errors[0].text);
  return r.ruleSet;
}

it('matches by lookup: no range is consulted per request, with 10 or 1,000 rules', () => {
  for (const n of [10, 1000]) {
    const rs = ruleSetWith(n);
    mockRangeChecks.count = 0;
    for (let i = 0; i < 2000; i++) {
      const m = rs.match({ method: 'GET', api: 'v2.1', resourcePath: '/limits', version: mustParseMicroversion(`2.${(i % 100) + 1}`) });
      expect(m.rules.map((r) => r.id)).toEqual(['r0']);
      rs.match({ method: 'GET', api: 'v2.1', resourcePath: '/os-thing-5/x/sub-5', version: mustParseMicroversion('2.39') });
    }
    expect(mockRangeChecks.count).toBe(0);
  }
});
