import { canonicalTarget } from '../../gateway/url/canonicalPath';

const HOST = 'gw.example:8080';

describe('canonicalTarget accepts and normalises', () => {
  test.each([
    ['/v2.1/images/abc/metadata', '/v2.1/images/abc/metadata', ''],
    ['/v2.1//images///abc/metadata', '/v2.1/images/abc/metadata', ''],
    ['/v2.1/images/abc/./metadata', '/v2.1/images/abc/metadata', ''],
    ['/v2.1/servers/../images/abc/metadata', '/v2.1/images/abc/metadata', ''],
    ['/v2.1/images/abc/metadata/x/..', '/v2.1/images/abc/metadata/', ''],
    ['/../v2.1/limits', '/v2.1/limits', ''],
    ['/v2.1/%69mages/abc/%6Detadata', '/v2.1/images/abc/metadata', ''],
    ['/v2.1/images/abc/%2e%2e/def', '/v2.1/images/def', ''],
    ['/v2.1/images/abc/%2E%2e/def', '/v2.1/images/def', ''],
    ['/v2.1/images/abc/.%2E/def', '/v2.1/images/def', ''],
    ['/v2.1/images/a%7eb', '/v2.1/images/a~b', ''],
    ['/v2.1/images/abc/metadata/a%20b', '/v2.1/images/abc/metadata/a%20b', ''],
    ['/v2.1/images/abc/metadata/a%2ab', '/v2.1/images/abc/metadata/a%2Ab', ''],
    ['/v2.1/images/abc/metadata/%c3%a9', '/v2.1/images/abc/metadata/%C3%A9', ''],
    ['/v2.1/images/abc/metadata/%25', '/v2.1/images/abc/metadata/%25', ''],
    ['/v2.1/images/abc/metadata/%252F', '/v2.1/images/abc/metadata/%252F', ''],
    ['/v2.1/limits?tenant_id=x&a=%2F', '/v2.1/limits', '?tenant_id=x&a=%2F'],
    ['/v2.1/limits?', '/v2.1/limits', '?'],
    ['/', '/', ''],
    ['//', '/', ''],
    ['/.', '/', ''],
    ['/v2.1/images/a:b@c!$&\'()*+,=', "/v2.1/images/a:b@c!$&'()*+,=", ''],
    [`http://${HOST}/v2.1/limits`, '/v2.1/limits', ''],
    [`HTTP://GW.EXAMPLE:8080/v2.1/limits?x=1`, '/v2.1/limits', '?x=1'],
    [`http://${HOST}`, '/', ''],
    [`http://${HOST}/?\n`, '/', '?\n'],
  ])('%s → %s%s', (raw, path, query) => {
    expect(canonicalTarget(raw, HOST)).toEqual({ ok: true, target: { path, query } });
  });
});

describe('canonicalTarget refuses what cannot be canonicalised unambiguously', () => {
  test.each([
    ['', 'empty-target'],
    ['*', 'asterisk-form'],
    ['http://evil.example/v2.1/limits', 'absolute-form-other-host'],
    ['http://gw.example/v2.1/limits', 'absolute-form-other-host'],
    ['v2.1/limits', 'not-origin-form'],
    ['/v2.1/images/abc/metadata#frag', 'fragment'],
    ['/v2.1/limits?x=1#frag', 'fragment'],
    ['/v2.1\\images\\abc\\metadata', 'backslash'],
    ['/v2.1/images/abc\tx', 'control-character'],
    ['/v2.1/images/abc\x00', 'control-character'],
    [`http://${HOST}/v2.1/images/abc\n`, 'control-character'],
    ['/v2.1/images;x=1/abc/metadata', 'path-parameter'],
    ['/v2.1/images/abc/metadata;', 'path-parameter'],
    ['/v2.1/images/abc metadata', 'raw-character-not-allowed'],
    ['/v2.1/images/abc/metadata/é', 'raw-character-not-allowed'],
    ['/v2.1/images/{abc}', 'raw-character-not-allowed'],
    ['/v2.1/images/abc/metadata/"', 'raw-character-not-allowed'],
    ['/v2.1/images/%zz', 'bad-percent-escape'],
    ['/v2.1/images/%4', 'bad-percent-escape'],
    ['/v2.1/images%2Fabc/metadata', 'encoded-delimiter'],
    ['/v2.1/images%2fabc/metadata', 'encoded-delimiter'],
    ['/v2.1/images%5Cabc', 'encoded-delimiter'],
    ['/v2.1/images/abc%3Bx', 'encoded-delimiter'],
    ['/v2.1/images/abc%3Fx', 'encoded-delimiter'],
    ['/v2.1/images/abc%23x', 'encoded-delimiter'],
    ['/v2.1/images/abc%00', 'encoded-control-character'],
    ['/v2.1/images/abc%0A', 'encoded-control-character'],
    ['/v2.1/images/abc%7F', 'encoded-control-character'],
    ['/v2.1/images/%C0%AF', 'invalid-utf8'],
    ['/v2.1/images/%E0%80%AF', 'invalid-utf8'],
    ['/v2.1/images/%FF', 'invalid-utf8'],
    ['/v2.1/images/%C3', 'invalid-utf8'],
    ['/v2.1/images/%C3x', 'invalid-utf8'],
  ])('%j → %s', (raw, reason) => {
    expect(canonicalTarget(raw, HOST)).toEqual({ ok: false, reason });
  });
});

describe('canonicalTarget is idempotent', () => {
  test.each(['/a//b/../c/%7e%2e/', '/v2.1/images/%c3%a9/./x', '/x/y/z/../../w'])('%s', (raw) => {
    const once = canonicalTarget(raw, HOST);
    if (!once.ok) throw new Error('refused');
    expect(canonicalTarget(once.target.path, HOST)).toEqual(once);
  });
});
