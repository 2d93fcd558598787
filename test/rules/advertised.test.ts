import { mustParseMicroversion as mv } from '../../gateway/microversion/version';
import { advertisedMaximum } from '../../gateway/rules/advertised';

const texts = (vs: string[]) => vs.map(mv);

describe('advertisedMaximum', () => {
  it('raises the upstream maximum by files introduced contiguously above it', () => {
    expect(advertisedMaximum(mv('2.38'), texts(['2.39', '2.40']))).toEqual({ max: mv('2.40') });
    expect(advertisedMaximum(mv('2.38'), texts(['2.40', '2.39'])).max.text).toBe('2.40');
  });

  it('does not raise without files, or with files at or below the upstream maximum', () => {
    expect(advertisedMaximum(mv('2.38'), [])).toEqual({ max: mv('2.38') });
    expect(advertisedMaximum(mv('2.93'), texts(['2.39']))).toEqual({ max: mv('2.93') });
    expect(advertisedMaximum(mv('2.39'), texts(['2.36', '2.39', '2.40'])).max.text).toBe('2.40');
  });

  it('stops at a gap and says which microversion is missing and which files are left out', () => {
    expect(advertisedMaximum(mv('2.38'), texts(['2.41']))).toEqual({
      max: mv('2.38'),
      stoppedAt: { missing: mv('2.39'), ignored: [mv('2.41')] },
    });
    expect(advertisedMaximum(mv('2.38'), texts(['2.39', '2.40', '2.42', '2.43']))).toEqual({
      max: mv('2.40'),
      stoppedAt: { missing: mv('2.41'), ignored: [mv('2.42'), mv('2.43')] },
    });
  });

  it('compares numerically (2.9 → 2.10)', () => {
    expect(advertisedMaximum(mv('2.8'), texts(['2.9', '2.10', '2.11'])).max.text).toBe('2.11');
  });

  it('does not cross a major version', () => {
    expect(advertisedMaximum(mv('2.104'), texts(['3.0']))).toEqual({
      max: mv('2.104'),
      stoppedAt: { missing: mv('2.105'), ignored: [mv('3.0')] },
    });
  });
});
