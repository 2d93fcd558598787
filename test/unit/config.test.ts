import { ConfigError, helpText, resolveConfig } from '../../gateway/config';

describe('resolveConfig', () => {
  test('defaults', () => {
    const c = resolveConfig({}, {});
    expect(c.upstream).toBeUndefined();
    expect(c.listen).toEqual({ host: '127.0.0.1', port: 8080 });
    expect(c.adminListen).toEqual({ host: '127.0.0.1', port: 9090 });
    expect(c.rulesDir).toBe('./rules');
    expect(c.prefix).toBe('');
    expect(c.serviceType).toBe('compute');
    expect(c.legacyVersionHeader).toBe('X-OpenStack-Nova-API-Version');
    expect(c.bodyLimitBytes).toBe(114688);
  });

  test('flags win over the environment, which wins over defaults', () => {
    const env = { GATEWAY_LISTEN: '127.0.0.1:1111', GATEWAY_PREFIX: '/compute', GATEWAY_UPSTREAM: 'http://127.0.0.1:8774' };
    const c = resolveConfig({ listen: '127.0.0.1:2222' }, env);
    expect(c.listen.port).toBe(2222);
    expect(c.prefix).toBe('/compute');
    expect(c.upstream?.origin).toBe('http://127.0.0.1:8774');
  });

  test('every option has an environment name and appears in --help', () => {
    for (const name of ['GATEWAY_UPSTREAM', 'GATEWAY_LISTEN', 'GATEWAY_ADMIN_LISTEN', 'GATEWAY_RULES', 'GATEWAY_UPSTREAM_MAX_VERSION', 'GATEWAY_IMAGE_SERVICE', 'GATEWAY_PREFIX']) {
      expect(helpText()).toContain(name);
    }
  });

  test.each([
    [{ listen: 'nope' }, {}, '--listen: "nope" is not HOST:PORT (e.g. 127.0.0.1:8080)'],
    [{ listen: '127.0.0.1:70000' }, {}, '--listen: "127.0.0.1:70000" is not HOST:PORT (e.g. 127.0.0.1:8080)'],
    [{}, { GATEWAY_ADMIN_LISTEN: ':9090' }, 'GATEWAY_ADMIN_LISTEN: ":9090" is not HOST:PORT (e.g. 127.0.0.1:8080)'],
    [{ upstream: 'ftp://x' }, {}, '--upstream: "ftp://x" must be an http:// or https:// URL'],
    [{ upstream: 'http://x/compute' }, {}, '--upstream: "http://x/compute" must be an origin without a path (use --prefix for a path prefix)'],
    [{ upstream: 'not a url' }, {}, '--upstream: "not a url" is not a URL'],
    [{}, { GATEWAY_UPSTREAM_MAX_VERSION: '2.x' }, 'GATEWAY_UPSTREAM_MAX_VERSION: "2.x" is not a microversion X.Y'],
    [{ 'upstream-max-version': '2.01' }, {}, '--upstream-max-version: "2.01" is not a microversion X.Y'],
    [{ prefix: 'compute' }, {}, '--prefix: "compute" must be a path such as /compute (no trailing slash, no dot segments, no escapes)'],
    [{ prefix: '/a/../b' }, {}, '--prefix: "/a/../b" must not contain dot segments'],
    [{ 'body-limit': '-1' }, {}, '--body-limit: "-1" is not a positive whole number'],
    [{ 'upstream-timeout': '0' }, {}, '--upstream-timeout: must be greater than 0'],
    [{ shadow: 'maybe' }, {}, '--shadow: "maybe" is not a boolean (true/false)'],
    [{ 'log-level': 'loud' }, {}, '--log-level: "loud" is not one of fatal, error, warn, info, debug, trace, silent'],
    [{ 'service-type': 'com pute' }, {}, '--service-type: "com pute" is not a valid HTTP token'],
  ])('%j %j → %s', (flags, env, message) => {
    expect(() => resolveConfig(flags as Record<string, string>, env)).toThrow(new ConfigError(message));
  });
});
