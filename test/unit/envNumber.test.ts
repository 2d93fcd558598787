import { envNumber } from '../support/envNumber';

describe('envNumber (bench and soak settings)', () => {
  const NAME = 'MVGW_ENV_NUMBER_TEST';
  afterEach(() => delete process.env[NAME]);
  const withValue = (v: string | undefined, dflt: number, min?: number) => {
    if (v === undefined) delete process.env[NAME];
    else process.env[NAME] = v;
    return envNumber(NAME, dflt, min);
  };

  test.each([
    [undefined, 5],
    ['', 5],
    ['  ', 5],
    ['abc', 5],
    ['0', 5],
    ['-3', 5],
    ['2.5', 2.5],
    ['40', 40],
  ])('%p → %p (positive by default)', (v, expected) => expect(withValue(v, 5)).toBe(expected));

  test('a minimum of 0 lets 0 through ("never"), still not negatives', () => {
    expect(withValue('0', 3, 0)).toBe(0);
    expect(withValue('-1', 3, 0)).toBe(3);
  });
});
