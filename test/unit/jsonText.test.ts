import fc from 'fast-check';
import { hasMember, isJson, removeMembers } from '../../gateway/proxy/jsonText';
import { pythonJsonDumps } from '../../gateway/nova/pythonJson';
import { advertiseInDiscoveryDocument } from '../../gateway/microversion/discoveryDocument';

const ptr = (source: string) => ({ source, tokens: source.split('/').slice(1).map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~')) });

function remove(text: string, ...pointers: string[]): string {
  if (!isJson(text)) throw new Error('not JSON');
  return removeMembers(text, pointers.map(ptr));
}

describe('removeMembers keeps every other byte', () => {
  const nova = '{"limits": {"rate": [], "absolute": {"maxImageMeta": 128, "maxPersonality": 5, "maxServerMeta": 128}}}';
  test.each([
    ['/limits/absolute/maxImageMeta', '{"limits": {"rate": [], "absolute": {"maxPersonality": 5, "maxServerMeta": 128}}}'],
    ['/limits/absolute/maxPersonality', '{"limits": {"rate": [], "absolute": {"maxImageMeta": 128, "maxServerMeta": 128}}}'],
    ['/limits/absolute/maxServerMeta', '{"limits": {"rate": [], "absolute": {"maxImageMeta": 128, "maxPersonality": 5}}}'],
    ['/limits/rate', '{"limits": {"absolute": {"maxImageMeta": 128, "maxPersonality": 5, "maxServerMeta": 128}}}'],
    ['/limits/absolute/absent', nova],
    ['/nope/deeper', nova],
  ])('%s', (pointer, expected) => {
    expect(remove(nova, pointer)).toBe(expected);
  });

  test('several members of one object, including the last two', () => {
    expect(remove('{"a": 1, "b": 2, "c": 3}', '/b', '/c')).toBe('{"a": 1}');
    expect(remove('{"a": 1, "b": 2, "c": 3}', '/a', '/b', '/c')).toBe('{}');
  });
  test('pretty-printed text stays pretty', () => {
    expect(remove('{\n    "a": 1,\n    "b": 2\n}', '/a')).toBe('{\n    "b": 2\n}');
    expect(remove('{\n    "a": 1,\n    "b": 2\n}', '/b')).toBe('{\n    "a": 1\n}');
  });
  test('array elements and escaped tokens', () => {
    expect(remove('{"x": [1, 2, 3]}', '/x/1')).toBe('{"x": [1, 3]}');
    expect(remove('{"a/b": 1, "c~d": 2}', '/a~1b')).toBe('{"c~d": 2}');
    expect(remove('{"a/b": 1, "c~d": 2}', '/c~0d')).toBe('{"a/b": 1}');
  });
  test('strict JSON only', () => {
    expect(isJson('{"a": 1,}')).toBe(false);
    expect(isJson('// c\n{}')).toBe(false);
    expect(isJson('<html>')).toBe(false);
    expect(isJson('')).toBe(false);
    expect(isJson('{"a": [1, {"b": "c"}]}')).toBe(true);
  });
  test('strings with brackets, escapes and escaped keys are skipped correctly', () => {
    const text = '{"s": "}]\\"{[", "k\\u0041": {"x": 1}, "t": [1, "]", {"y": "}"}], "z": 2}';
    expect(remove(text, '/z')).toBe('{"s": "}]\\"{[", "k\\u0041": {"x": 1}, "t": [1, "]", {"y": "}"}]}');
    expect(remove(text, '/kA/x')).toBe('{"s": "}]\\"{[", "k\\u0041": {}, "t": [1, "]", {"y": "}"}], "z": 2}');
    expect(remove(text, '/t/2/y')).toBe('{"s": "}]\\"{[", "k\\u0041": {"x": 1}, "t": [1, "]", {}], "z": 2}');
    expect(hasMember(text, ptr('/s/0'))).toBe(false);
    expect(hasMember(text, ptr('/t/1'))).toBe(true);
    expect(hasMember(text, ptr(''))).toBe(false);
  });

  test('property: removing a member equals deleting it and re-serialising, in Python\'s style', () => {
    const value = fc.dictionary(fc.string({ maxLength: 6 }), fc.oneof(fc.integer(), fc.string({ maxLength: 6 }), fc.constant(null),
      fc.dictionary(fc.string({ maxLength: 4 }), fc.integer(), { maxKeys: 3 })), { minKeys: 1, maxKeys: 6 });
    fc.assert(fc.property(value, fc.nat(), (obj, pick) => {
      const keys = Object.keys(obj);
      const key = keys[pick % keys.length];
      const text = pythonJsonDumps(obj);
      const expected = { ...obj };
      delete expected[key];
      const token = key.replace(/~/g, '~0').replace(/\//g, '~1');
      expect(remove(text, '/' + token)).toBe(pythonJsonDumps(expected));
    }));
  });
});

describe('advertiseInDiscoveryDocument', () => {
  test('v2.1 document', () => {
    const doc = '{"version": {"id": "v2.1", "status": "CURRENT", "version": "2.38", "min_version": "2.1"}}';
    expect(advertiseInDiscoveryDocument(doc, '2.39')).toBe(doc.replace('"2.38"', '"2.39"'));
  });
  test('root list: only the v2.1 entry', () => {
    const doc = '{"versions": [{"id": "v2.0", "version": ""}, {"id": "v2.1", "version": "2.38", "min_version": "2.1"}]}';
    expect(advertiseInDiscoveryDocument(doc, '2.39')).toBe(
      '{"versions": [{"id": "v2.0", "version": ""}, {"id": "v2.1", "version": "2.39", "min_version": "2.1"}]}',
    );
  });
  test('v2 document and non-JSON are left alone', () => {
    const v2 = '{"version": {"id": "v2.0", "version": ""}}';
    expect(advertiseInDiscoveryDocument(v2, '2.39')).toBe(v2);
    expect(advertiseInDiscoveryDocument('nope', '2.39')).toBe('nope');
  });
});
