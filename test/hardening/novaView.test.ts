/**
 * The path corpus trusts support/novaView.ts to recognise image metadata in whatever reached the
 * upstream. These tests keep that checker honest: it must flag every raw spelling of the corpus
 * (so a gateway that forwarded spellings unchanged would fail), and must not flag look-alikes.
 */
import { productCorpus, specialCorpus } from './support/pathCorpus';
import { imageMetadataShape, pythonUnquoteLatin1, rfcRemoveDotSegments, servesImageMetadata } from './support/novaView';

describe('the "any Nova reading" checker', () => {
  test.each([
    ['GET', '/v2.1/images/x/metadata'],
    ['POST', '/v2.1/images/x/metadata.json'],
    ['PUT', '/v2.1/c0ffee00/images/x/metadata/'],
    ['DELETE', '/v2.1/images/x/metadata/k'],
    ['GET', '/v2.1//images//x//metadata//k.xml'],
    ['GET', '/v2.1/images/x%2Fmetadata'],
    ['GET', '/v2.1/images%2fx%2fmetadata%2fk'],
    ['GET', '/v2.1/servers/../images/x/metadata'],
    ['GET', '/v2.1/servers/%2e%2e/images/x/metadata'],
    ['GET', '/v2.1/%69mages/x/%6Detadata'],
    ['GET', 'http://other.example/v2.1/images/x/metadata?y#z'],
    ['GET', '/compute/v2.1/images/x/metadata'],
  ])('flags %s %s', (method, target) => {
    expect(servesImageMetadata(method, target, ['/compute'])).toBeDefined();
  });

  test.each([
    ['GET', '/v2.1/images/x'],
    ['GET', '/v2.1/images/x/meta'],
    ['GET', '/v2.1/IMAGES/x/metadata'],
    ['GET', '/v2.1/images/x/METADATA'],
    ['GET', '/v2.1/C0FFEE00/images/x/metadata'],
    ['GET', '/v2.1/images/x/metadata.JSON'],
    ['GET', '/v2.1/images/x/metadata/k/extra'],
    ['GET', '/v2.1/images/x/%256Detadata'],
    ['GET', '/v2/images/x/metadata'],
    ['PATCH', '/v2.1/images/x/metadata'],
    ['DELETE', '/v2.1/images/x/metadata'],
    ['POST', '/v2.1/images/x/metadata/k'],
    ['HEAD', '/v2.1/images/x/metadata'],
    ['GET', '/v2.1/limits?next=/v2.1/images/x/metadata'],
  ])('does not flag %s %s', (method, target) => {
    expect(servesImageMetadata(method, target, ['/compute'])).toBeUndefined();
  });

  test('every raw spelling the corpus expects the gateway to block would be caught if it were forwarded unchanged', () => {
    const blocked = [...productCorpus(), ...specialCorpus(), ...productCorpus('/compute')].filter((e) => e.expect === 'metadata');
    const missed = blocked.filter((e) => !servesImageMetadata(e.method, e.target, ['/compute']));
    expect(missed.map((e) => `${e.name}: ${e.target}`)).toEqual([]);
  });

  test('encoded-delimiter spellings the gateway refuses are image metadata to a decoding server', () => {
    const names = ['encoded delimiter %2F before metadata', 'encoded delimiter %2f before metadata', 'encoded slash between metadata and key'];
    const encoded = specialCorpus().filter((e) => names.includes(e.name));
    expect(encoded).toHaveLength(3);
    for (const e of encoded) expect(servesImageMetadata(e.method, e.target)).toBeDefined();
  });

  test('helpers', () => {
    expect(pythonUnquoteLatin1('/a%2Fb%zz%c3%a9')).toBe('/a/b%zz\xc3\xa9');
    expect(rfcRemoveDotSegments('/a/b/c/./../../g')).toBe('/a/g');
    expect(rfcRemoveDotSegments('/../a/..')).toBe('/');
    expect(rfcRemoveDotSegments('/a/b/..')).toBe('/a/');
    expect(imageMetadataShape('/v2.1/images/x/metadata')).toBe('collection');
    expect(imageMetadataShape('/v2.1/abc-1/images/x/metadata/k')).toBe('item');
    expect(imageMetadataShape('/v2.1/images//metadata')).toBeUndefined();
  });
});
