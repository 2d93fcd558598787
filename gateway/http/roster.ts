/**
 * The members of a changing group (open connections, answers in flight), with O(1) join and
 * leave, kept in one array: a leaving member's slot takes the last member.
 *
 * Why not a Set: V8 replaces a Set's hash table as members come and go, and a replaced table
 * keeps a link to its successor (for live iterators). Once a full collection has moved one of
 * those tables to the old generation, that dead table keeps its successor alive through every
 * young collection, the successor is promoted and keeps the next one alive, and so on: every
 * answer ever registered is promoted with all it references, and the process runs from one full
 * collection to the next for as long as the load lasts (`test/bench/setChurn.ts` shows it).
 */
export class Roster<T> {
  private readonly slots: Slot<T>[] = [];

  get size(): number {
    return this.slots.length;
  }

  /** Adds a member; the returned function removes it (again: no effect). */
  join(member: T): () => void {
    const slot: Slot<T> = { member, index: this.slots.length };
    this.slots.push(slot);
    return () => this.leave(slot);
  }

  /** The members now, in no particular order. */
  members(): T[] {
    return this.slots.map((s) => s.member);
  }

  private leave(slot: Slot<T>): void {
    if (slot.index < 0) return;
    const last = this.slots.pop() as Slot<T>;
    if (last !== slot) {
      this.slots[slot.index] = last;
      last.index = slot.index;
    }
    slot.index = -1;
  }
}

interface Slot<T> {
  readonly member: T;
  index: number;
}
