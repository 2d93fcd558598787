import { parseComputeRoute } from '../../gateway/url/computeRoute';

describe('parseComputeRoute (Nova URL grammar)', () => {
  test.each([
    ['/', '', 'root', '', undefined],
    ['/v2.1', '', 'v2.1-document', '', undefined],
    ['/v2.1/', '', 'v2.1-document', '', undefined],
    ['/v2', '', 'v2-document', '', undefined],
    ['/v2/', '', 'v2-document', '', undefined],
    ['/v2.1/limits', '', 'v2.1', '/limits', undefined],
    ['/v2.1/images/abc/metadata', '', 'v2.1', '/images/abc/metadata', undefined],
    ['/v2.1/c0ffee00-1234/images/abc/metadata', '', 'v2.1', '/images/abc/metadata', 'c0ffee00-1234'],
    ['/v2.1/C0FFEE/images/abc', '', 'v2.1', '/C0FFEE/images/abc', undefined],
    ['/v2.1/c0ffee', '', 'v2.1', '', 'c0ffee'],
    ['/v2/images/abc/metadata', '', 'v2', '/images/abc/metadata', undefined],
    ['/v2/abcdef/servers', '', 'v2', '/servers', 'abcdef'],
    ['/servers', '', 'unversioned', '', undefined],
    ['/v2.10/limits', '', 'unversioned', '', undefined],
    ['/v2x/limits', '', 'unversioned', '', undefined],
    ['/v3/limits', '', 'unversioned', '', undefined],
    ['/compute', '/compute', 'root', '', undefined],
    ['/compute/', '/compute', 'root', '', undefined],
    ['/compute/v2.1/limits', '/compute', 'v2.1', '/limits', undefined],
    ['/compute/v2.1/', '/compute', 'v2.1-document', '', undefined],
  ])('%s (prefix %j) → %s %s project %s', (path, prefix, kind, resourcePath, projectId) => {
    const route = parseComputeRoute(path, prefix);
    expect(route).toMatchObject({ kind, resourcePath, projectId });
  });

  test.each([['/v2.1/limits', '/compute'], ['/computex/v2.1', '/compute'], ['/', '/compute']])('%s is outside prefix %s', (path, prefix) => {
    expect(parseComputeRoute(path, prefix)).toBeUndefined();
  });

  test('microversion processing per API', () => {
    expect(parseComputeRoute('/v2.1/x', '')).toMatchObject({ microversioned: true, legacy: false });
    expect(parseComputeRoute('/v2.1/', '')).toMatchObject({ microversioned: true, legacy: false });
    expect(parseComputeRoute('/v2/x', '')).toMatchObject({ microversioned: false, legacy: true });
    expect(parseComputeRoute('/', '')).toMatchObject({ microversioned: false, legacy: false });
  });
});
