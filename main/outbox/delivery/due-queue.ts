import type { QueueRecord } from '../store/queue-record.ts';

interface Slot {
  readonly at: number;
  readonly seq: number;
  readonly record: QueueRecord;
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
 * a few heap steps instead of a pass over the whole queue. Records are replaced, never changed, so
 * a slot whose record is no longer the current one is stale; stale slots are dropped when met.
 */
export class DueQueue {
  private readonly heaps = new Map<string, SlotHeap>();
  private readonly present = new WeakSet<QueueRecord>();
  private seq = 0;
  private readonly isCurrent: (record: QueueRecord) => boolean;

  constructor(isCurrent: (record: QueueRecord) => boolean) {
    this.isCurrent = isCurrent;
  }

  push(record: QueueRecord, at: number): void {
    if (this.present.has(record)) return;
    this.present.add(record);
    let heap = this.heaps.get(record.accountId);
    if (!heap) {
      heap = new SlotHeap();
      this.heaps.set(record.accountId, heap);
    }
    heap.push({ at, seq: this.seq++, record });
  }

  accounts(): string[] {
    return [...this.heaps.keys()];
  }

  /** The account's earliest current record and when it is due. */
  peek(accountId: string): { record: QueueRecord; at: number } | undefined {
    const heap = this.heaps.get(accountId);
    for (let top = heap?.peek(); heap && top; top = heap.peek()) {
      if (this.isCurrent(top.record)) return top;
      heap.pop();
      this.present.delete(top.record);
    }
    this.heaps.delete(accountId);
    return undefined;
  }

  /** Takes the account's earliest record out (after peek found it current). */
  pop(accountId: string): void {
    const top = this.heaps.get(accountId)?.pop();
    if (top) this.present.delete(top.record);
  }
}
