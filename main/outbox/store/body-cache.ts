/**
 * Bytes kept in memory up to a budget, the oldest let go first. The store keeps its own small
 * messages here from enqueue to delivery, so sending them reads no file.
 */
export class BodyCache {
  private readonly entries = new Map<string, Buffer>();
  private size = 0;

  private readonly budgetBytes: number;

  constructor(budgetBytes: number) {
    this.budgetBytes = budgetBytes;
  }

  get(id: string): Buffer | undefined {
    return this.entries.get(id);
  }

  put(id: string, bytes: Buffer): void {
    this.delete(id);
    this.entries.set(id, bytes);
    this.size += bytes.length;
    for (const oldest of this.entries.keys()) {
      if (this.size <= this.budgetBytes) break;
      this.delete(oldest);
    }
  }

  delete(id: string): void {
    this.size -= this.entries.get(id)?.length ?? 0;
    this.entries.delete(id);
  }

  /** Bytes held now; never more than the budget once `put` returns. */
  get bytes(): number {
    return this.size;
  }
}
