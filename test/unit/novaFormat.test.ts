import { faultBody, faultName } from '../../gateway/nova/fault';
import { pythonJsonDumps } from '../../gateway/nova/pythonJson';

describe("Nova's fault format", () => {
  test.each([
    [400, 'badRequest'], [401, 'unauthorized'], [403, 'forbidden'], [404, 'itemNotFound'], [405, 'badMethod'],
    [409, 'conflictingRequest'], [413, 'overLimit'], [415, 'badMediaType'], [429, 'overLimit'], [501, 'notImplemented'],
    [503, 'serviceUnavailable'], [406, 'computeFault'], [410, 'computeFault'], [500, 'computeFault'], [502, 'computeFault'],
  ])('%d → %s', (status, name) => {
    expect(faultName(status)).toBe(name);
  });

  test('exact bytes of the 2.39 not-found fault', () => {
    expect(faultBody(404)).toBe('{"itemNotFound": {"code": 404, "message": "The resource could not be found."}}');
  });
  test('exact bytes of a 406', () => {
    expect(faultBody(406, 'Version 2.105 is not supported by the API. Minimum is 2.1 and maximum is 2.104.')).toBe(
      '{"computeFault": {"code": 406, "message": "Version 2.105 is not supported by the API. Minimum is 2.1 and maximum is 2.104."}}',
    );
  });
  test('WebOb default texts are whitespace-normalised', () => {
    expect(faultBody(400)).toBe(
      '{"badRequest": {"code": 400, "message": "The server could not comply with the request since it is either malformed or otherwise incorrect."}}',
    );
  });
});

describe('pythonJsonDumps', () => {
  test.each([
    [{ a: 1, b: [1, 2], c: { d: null, e: true } }, '{"a": 1, "b": [1, 2], "c": {"d": null, "e": true}}'],
    ['é\u2028"\\', '"\\u00e9\\u2028\\"\\\\"'],
    [[], '[]'],
    [{}, '{}'],
    [1.5, '1.5'],
    ['\x7f', '"\\u007f"'],
  ])('%j', (value, text) => {
    expect(pythonJsonDumps(value)).toBe(text);
  });
});
