import type { IncomingHttpHeaders } from 'node:http';
import { negotiateVersion } from '../../gateway/microversion/negotiate';
import { requestedVersionText } from '../../gateway/microversion/requestHeader';
import { NOVA_SERVICE } from '../../gateway/microversion/service';
import { mustParseMicroversion } from '../../gateway/microversion/version';

const RANGE = { min: mustParseMicroversion('2.1'), max: mustParseMicroversion('2.104') };
const STD = 'openstack-api-version';
const LEGACY = 'x-openstack-nova-api-version';

describe('requestedVersionText mirrors microversion-parse', () => {
  test.each<[IncomingHttpHeaders, string | undefined]>([
    [{}, undefined],
    [{ [STD]: 'compute 2.38, compute 2.39' }, '2.39'],
    [{ [STD]: 'compute 2.39, compute 2.38' }, '2.38'],
    [{ [LEGACY]: '2.39, 2.38' }, '2.38'],
    [{ [STD]: 'COMPUTE 2.39' }, '2.39'],
    [{ [STD]: '  compute   2.38  ' }, '2.38'],
    [{ [STD]: 'volume 3.0' }, undefined],
    [{ [STD]: 'volume 3.0', [LEGACY]: '2.38' }, '2.38'],
    [{ [STD]: 'compute', [LEGACY]: '2.39' }, '2.39'],
    [{ [STD]: 'compute 2.38', [LEGACY]: '2.39' }, '2.38'],
    [{ [STD]: 'compute 2.1.3', [LEGACY]: '2.39' }, '2.1.3'],
    [{ [STD]: 'compute latest' }, 'latest'],
    [{ [STD]: 'compute 2.1 extra' }, '2.1 extra'],
    [{ [STD]: '' , [LEGACY]: '2.5' }, '2.5'],
    [{ [LEGACY]: '' }, ''],
    [{ [LEGACY]: ' , ' }, ''],
    [{ [STD]: 'compute\t2.7' }, '2.7'],
    [{ [STD]: 'compute\xa02.7' }, '2.7'],
    [{ [STD]: 'volume 3.1, compute 2.9, network 1.0' }, '2.9'],
    [{ [STD]: 'compute 2.9,' }, '2.9'],
  ])('%j → %j', (headers, expected) => {
    expect(requestedVersionText(headers, NOVA_SERVICE)).toBe(expected);
  });
});

describe('negotiateVersion (Nova set_api_version_request)', () => {
  test('no header → minimum', () => {
    expect(negotiateVersion({}, NOVA_SERVICE, RANGE)).toMatchObject({ ok: true, version: { text: '2.1' } });
  });
  test('latest → maximum; case-sensitive', () => {
    expect(negotiateVersion({ [STD]: 'compute latest' }, NOVA_SERVICE, RANGE)).toMatchObject({ ok: true, version: { text: '2.104' } });
    expect(negotiateVersion({ [LEGACY]: 'latest' }, NOVA_SERVICE, RANGE)).toMatchObject({ ok: true, version: { text: '2.104' } });
    expect(negotiateVersion({ [STD]: 'compute Latest' }, NOVA_SERVICE, RANGE)).toEqual({
      ok: false, status: 400, message: 'API Version String Latest is of invalid format. Must be of format MajorNum.MinorNum.',
    });
  });
  test.each(['2.1.3', '2.01', '02.1', '2', 'abc', 'LATEST', '2.', '.1', '2.1a', '-2.1'])('malformed %j → 400', (v) => {
    expect(negotiateVersion({ [LEGACY]: v }, NOVA_SERVICE, RANGE)).toEqual({
      ok: false, status: 400, message: `API Version String ${v} is of invalid format. Must be of format MajorNum.MinorNum.`,
    });
  });
  test('empty legacy value → 400 with two spaces', () => {
    expect(negotiateVersion({ [LEGACY]: '' }, NOVA_SERVICE, RANGE)).toMatchObject({
      status: 400, message: 'API Version String  is of invalid format. Must be of format MajorNum.MinorNum.',
    });
  });
  test.each(['2.105', '2.0', '3.0', '1.1', '2.1000'])('out of range %s → 406 echoing it', (v) => {
    expect(negotiateVersion({ [STD]: `compute ${v}` }, NOVA_SERVICE, RANGE)).toEqual({
      ok: false, status: 406, echo: v,
      message: `Version ${v} is not supported by the API. Minimum is 2.1 and maximum is 2.104.`,
    });
  });
  test('numeric comparison: 2.10 > 2.9', () => {
    const range = { min: mustParseMicroversion('2.1'), max: mustParseMicroversion('2.9') };
    expect(negotiateVersion({ [LEGACY]: '2.10' }, NOVA_SERVICE, range)).toMatchObject({ status: 406 });
    expect(negotiateVersion({ [LEGACY]: '2.9' }, NOVA_SERVICE, range)).toMatchObject({ ok: true });
  });
  test('service type and legacy header are configuration', () => {
    const volume = { serviceType: 'volume', legacyHeader: 'X-OpenStack-Volume-API-Version' };
    expect(negotiateVersion({ [STD]: 'volume 2.5, compute 2.9' }, volume, RANGE)).toMatchObject({ ok: true, version: { text: '2.5' } });
    expect(negotiateVersion({ 'x-openstack-volume-api-version': '2.6' }, volume, RANGE)).toMatchObject({ version: { text: '2.6' } });
  });
});
