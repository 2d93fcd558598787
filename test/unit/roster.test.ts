import fc from 'fast-check';
import { Roster } from '../../gateway/http/roster';

describe('Roster', () => {
  it('holds what joined and has not left', () => {
    const roster = new Roster<string>();
    const leaveA = roster.join('a');
    roster.join('b');
    const leaveC = roster.join('c');
    leaveA();
    expect(roster.size).toBe(2);
    expect(roster.members().sort()).toEqual(['b', 'c']);
    leaveC();
    expect(roster.members()).toEqual(['b']);
  });

  it('ignores a second leave of the same member', () => {
    const roster = new Roster<string>();
    const leaveA = roster.join('a');
    roster.join('b');
    leaveA();
    leaveA();
    expect(roster.members()).toEqual(['b']);
  });

  it('keeps two joins of one value apart', () => {
    const roster = new Roster<string>();
    const first = roster.join('a');
    roster.join('a');
    first();
    expect(roster.members()).toEqual(['a']);
  });

  it('matches a multiset under any sequence of joins and leaves', () => {
    const step = fc.oneof(fc.record({ join: fc.integer({ min: 0, max: 9 }) }), fc.record({ leave: fc.nat() }));
    fc.assert(
      fc.property(fc.array(step, { maxLength: 200 }), (steps) => {
        const roster = new Roster<number>();
        const present: { value: number; leave: () => void }[] = [];
        for (const s of steps) {
          if ('join' in s) present.push({ value: s.join, leave: roster.join(s.join) });
          else if (present.length > 0) present.splice(s.leave % present.length, 1)[0].leave();
        }
        expect(roster.size).toBe(present.length);
        expect(roster.members().sort()).toEqual(present.map((p) => p.value).sort());
      }),
      { numRuns: 1000 },
    );
  });
});
