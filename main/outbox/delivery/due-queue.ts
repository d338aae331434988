/** What the due queue needs of a message: no record, so 100,000 waiting hold only their ids. */
export interface DueMessage {
  readonly id: string;
  readonly accountId: string;
}

interface Slot {
  readonly at: number;
  readonly seq: number;
  readonly id: string;
  readonly accountId: string;
}

const before = (a: Slot, b: Slot) => a.at < b.at || (a.at === b.at && a.seq < b.seq);

/** A binary min-heap of slots, earliest due first, first pushed first among equals. */
class SlotHeap {
  private readonly slots: Slot[] = [];

  get size(): number {
    return this.slots.length;
  }

  peek(): Slot | undefined {
    return this.slots[0];
  }

  push(slot: Slot): void {
    const { slots } = this;
    slots.push(slot);
    for (let i = slots.length - 1; i > 0;) {
      const parent = (i - 1) >> 1;
      if (!before(slots[i] as Slot, slots[parent] as Slot)) break;
      [slots[i], slots[parent]] = [slots[parent] as Slot, slots[i] as Slot];
      i = parent;
    }
  }

  pop(): Slot | undefined {
    const { slots } = this;
    const top = slots[0];
    const last = slots.pop();
    if (slots.length === 0 || last === undefined) return top;
    slots[0] = last;
    for (let i = 0; ;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let least = i;
      if (left < slots.length && before(slots[left] as Slot, slots[least] as Slot)) least = left;
      if (right < slots.length && before(slots[right] as Slot, slots[least] as Slot)) least = right;
      if (least === i) break;
      [slots[i], slots[least]] = [slots[least] as Slot, slots[i] as Slot];
      i = least;
    }
    return top;
  }
}

/**
 * The messages waiting to be sent, per account, earliest due first, so feeding the sessions costs
 * a few heap steps instead of a pass over the whole queue. A message pushed again (a new due time
 * or account) leaves its older slot stale, as does one no longer due (`isDue`: it stopped waiting,
 * went out or is being withdrawn); stale slots are dropped when met.
 */
export class DueQueue {
  private readonly heaps = new Map<string, SlotHeap>();
  /** Each message's newest slot while it is in a heap: the heap's own object, not a copy. */
  private readonly latest = new Map<string, Slot>();
  private seq = 0;
  private readonly isDue: (id: string) => boolean;

  constructor(isDue: (id: string) => boolean) {
    this.isDue = isDue;
  }

  push(message: DueMessage, at: number): void {
    const { id, accountId } = message;
    const known = this.latest.get(id);
    if (known?.at === at && known.accountId === accountId) return;
    let heap = this.heaps.get(accountId);
    if (!heap) {
      heap = new SlotHeap();
      this.heaps.set(accountId, heap);
    }
    const slot = { at, seq: this.seq++, id, accountId };
    this.latest.set(id, slot);
    heap.push(slot);
  }

  accounts(): string[] {
    return [...this.heaps.keys()];
  }

  /** The account's earliest message still due and when it is due. */
  peek(accountId: string): { id: string; at: number } | undefined {
    const heap = this.heaps.get(accountId);
    for (let top = heap?.peek(); heap && top; top = heap.peek()) {
      const newest = this.latest.get(top.id) === top;
      if (newest && this.isDue(top.id)) return top;
      heap.pop();
      if (newest) this.latest.delete(top.id);
    }
    this.heaps.delete(accountId);
    return undefined;
  }

  /** Takes the account's earliest message out (after peek found it due). */
  pop(accountId: string): void {
    const top = this.heaps.get(accountId)?.pop();
    if (top && this.latest.get(top.id) === top) this.latest.delete(top.id);
  }
}
