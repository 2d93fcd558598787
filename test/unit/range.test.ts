import { parseMicroversionRange, RangeSyntaxError } from '../../gateway/microversion/range';
import { mustParseMicroversion } from '../../gateway/microversion/version';

const v = mustParseMicroversion;

describe('parseMicroversionRange', () => {
  test.each([
    ['>=2.39', ['2.39', '2.40', '2.104', '3.0'], ['2.38', '2.1', '2.3']],
    ['<2.39', ['2.1', '2.38', '2.9'], ['2.39', '2.100']],
    ['>=2.36 <2.39', ['2.36', '2.37', '2.38'], ['2.35', '2.39']],
    ['2.1 - 2.38', ['2.1', '2.38'], ['2.39', '2.0']],
    ['=2.39', ['2.39'], ['2.38', '2.40']],
    ['2.39', ['2.39'], ['2.38']],
    ['<=2.38', ['2.38', '2.10'], ['2.39']],
    ['>2.9', ['2.10', '2.11'], ['2.9', '2.8']],
    ['<2.3 || >=2.39', ['2.2', '2.39'], ['2.3', '2.38']],
  ])('%s', (source, inside, outside) => {
    const r = parseMicroversionRange(source);
    for (const x of inside) expect([x, r.includes(v(x))]).toEqual([x, true]);
    for (const x of outside) expect([x, r.includes(v(x))]).toEqual([x, false]);
  });

  test.each(['>=2.39.1', '~2.39', '^2.39', '2.x', '>=abc', '>= 2.01', '', '>=', '2.39 -', '*', '>=2.39 <'])('refuses %j', (source) => {
    expect(() => parseMicroversionRange(source)).toThrow(RangeSyntaxError);
  });
});
