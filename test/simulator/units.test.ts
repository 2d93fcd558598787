/** Python-compatibility helpers: json.loads semantics, repr(), jsonschema messages. */
import { orderedObject, PyDict, PyFloat, pyFloatRepr, pyJsonLoads, pyRepr, pyStrRepr } from '../../gateway/simulator/pyjson';
import { validateBody } from '../../gateway/simulator/validation';
import { imageMetadataCreate, NAME_FORMATS, createImage } from '../../gateway/simulator/schemas';
import { pythonJsonDumps } from '../../gateway/nova/pythonJson';
import { urlJoin, quotePath } from '../../gateway/simulator/request';
import { ImageProperties } from '../../gateway/simulator/state';
import { absoluteLimits } from '../../gateway/simulator/limits';
import { DEFAULT_QUOTAS } from '../../gateway/simulator/config';
import { mustParseMicroversion } from '../../gateway/microversion/version';

const load = (s: string) => pyJsonLoads(Buffer.from(s));

describe('pyJsonLoads', () => {
  test('keeps dict order, including integer-like keys', () => {
    const d = load('{"b": 1, "2": 2, "a": 3}') as PyDict;
    expect(d.keys()).toEqual(['b', '2', 'a']);
    expect(pythonJsonDumps(orderedObject(d.entries()))).toBe('{"b": 1, "2": 2, "a": 3}');
  });
  test('floats, NaN, big ints', () => {
    expect(load('1.0')).toBeInstanceOf(PyFloat);
    expect(load('1')).toBe(1);
    expect((load('NaN') as PyFloat).value).toBeNaN();
    expect(load('123456789012345678901234567890')).toBe(123456789012345678901234567890n);
  });
  test.each(['{bad', '', '{"a": 1} x', '\ufeff{}', '{"a": "\u0001"}'])('rejects %j', (s) => {
    expect(() => load(s)).toThrow();
  });
  test('rejects invalid UTF-8', () => {
    expect(() => pyJsonLoads(Buffer.from([0x22, 0xff, 0x22]))).toThrow();
  });
});

describe('pyRepr', () => {
  test.each([
    [null, 'None'], [true, 'True'], ['a', "'a'"], ["it's", '"it\'s"'], ['a\nb', "'a\\nb'"],
    [[1, 'x'], "[1, 'x']"],
  ])('%j', (v, out) => {
    expect(pyRepr(v as never)).toBe(out);
  });
  test.each([[1, '1.0'], [0.1, '0.1'], [1e16, '1e+16'], [1.5e-5, '1.5e-05'], [-2.5, '-2.5'], [123456.789, '123456.789']])(
    'float %d',
    (n, out) => expect(pyFloatRepr(n)).toBe(out),
  );
  test('non-printable characters are escaped', () => {
    expect(pyStrRepr('\u0000\u00a0é\u2028')).toBe("'\\x00\\xa0é\\u2028'");
  });
});

describe('validateBody', () => {
  const v = (schema: typeof createImage, body: string) => validateBody(schema, load(body), { formats: NAME_FORMATS });
  test('a key followed by one newline passes (Python $)', () => {
    expect(v(imageMetadataCreate, '{"metadata": {"abc\\n": "x"}}')).toBeUndefined();
    expect(v(imageMetadataCreate, '{"metadata": {"abc\\n\\n": "x"}}')).toContain('does not match any of the regexes');
  });
  test('several bad keys are sorted', () => {
    expect(v(imageMetadataCreate, '{"metadata": {"z/": "1", "a/": "2"}}')).toBe(
      "Invalid input for field/attribute metadata. Value: {'z/': '1', 'a/': '2'}. 'a/', 'z/' do not match any of the regexes: '^[a-zA-Z0-9-_:. ]{1,255}$'",
    );
  });
  test('errors inside properties come before required/additionalProperties', () => {
    expect(v(imageMetadataCreate, '{"metadata": {"a": 1}, "x": 1}')).toBe(
      "Invalid input for field/attribute a. Value: 1. 1 is not of type 'string'",
    );
  });
  test('names: printable, no surrounding whitespace, 255 code points', () => {
    expect(v(createImage, '{"createImage": {"name": "ok name"}}')).toBeUndefined();
    expect(v(createImage, '{"createImage": {"name": "tab\\tname"}}')).toContain("An invalid 'name' value");
    expect(v(createImage, `{"createImage": {"name": "${'é'.repeat(255)}"}}`)).toBeUndefined();
    expect(v(createImage, `{"createImage": {"name": "${'é'.repeat(256)}"}}`)).toContain('is too long');
  });
  test('relaxed (legacy v2) mode drops extra keys where there are no patterns', () => {
    const body = load('{"createImage": {"name": "n", "extra": 1}, "other": 2}') as PyDict;
    expect(validateBody(createImage, body, { relaxAdditionalProperties: true, formats: NAME_FORMATS })).toBeUndefined();
    expect(body.keys()).toEqual(['createImage']);
    expect((body.get('createImage') as PyDict).keys()).toEqual(['name']);
  });
});

describe('helpers', () => {
  test('url_join', () => {
    expect(urlJoin('http://h/v2.1', '', 'images', 'x')).toBe('http://h/v2.1/images/x');
    expect(urlJoin('http://h', 'v2', '')).toBe('http://h/v2/');
    expect(urlJoin('http://h', 'v2', '/servers/')).toBe('http://h/v2/servers');
  });
  test('quotePath keeps webob PATH_SAFE characters', () => {
    expect(quotePath("/a b/~!$&'()*+,;=:@/é")).toBe("/a%20b/~!$&'()*+,;=:@/%C3%A9");
  });
  test('ImageProperties keeps Glance row order across delete and re-add', () => {
    const p = new ImageProperties([['a', '1'], ['b', '2'], ['c', '3']]);
    p.delete('a');
    p.set('d', '4');
    p.set('a', '5');
    expect(p.entries()).toEqual([['a', '5'], ['b', '2'], ['c', '3'], ['d', '4']]);
    p.replaceAll([['c', 'x'], ['e', 'y']]);
    expect(p.entries()).toEqual([['c', 'x'], ['e', 'y']]);
  });
  test('limits key sets per version range', () => {
    const keys = (ver: string) => absoluteLimits(DEFAULT_QUOTAS, mustParseMicroversion(ver).key).map(([k]) => k);
    expect(keys('2.1')).toHaveLength(19);
    expect(keys('2.36')).toHaveLength(14);
    expect(keys('2.39')).toHaveLength(13);
    expect(keys('2.57')).toHaveLength(11);
    expect(keys('2.39')).not.toContain('maxImageMeta');
    const sample = absoluteLimits(DEFAULT_QUOTAS, mustParseMicroversion('2.1').key, {}, 'samples').map(([k]) => k);
    expect(sample.slice(0, 3)).toEqual(['maxImageMeta', 'maxPersonality', 'maxPersonalitySize']);
  });
});
