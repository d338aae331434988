/**
 * Attempts under way. A message is `sending` until its outcome is durable; of those, the ones still
 * talking to the server hold one of the account's sessions. A session is free for the next message
 * once the server has answered; the outcome is made durable alongside (group-committed with others).
 */
export class InFlight {
  private readonly runs = new Map<string, { readonly accountId: string; readonly run: Promise<void> }>();
  /** Message id → account, while on the wire. */
  private readonly onWire = new Map<string, string>();

  add(message: { readonly id: string; readonly accountId: string }, run: Promise<void>): void {
    this.onWire.set(message.id, message.accountId);
    this.runs.set(message.id, { accountId: message.accountId, run });
  }

  /** The server answered (or the attempt failed): its session is free. */
  offWire(id: string): void {
    this.onWire.delete(id);
  }

  /** The outcome is recorded (or could not be). */
  done(id: string): void {
    this.onWire.delete(id);
    this.runs.delete(id);
  }

  has(id: string): boolean {
    return this.runs.has(id);
  }

  get size(): number {
    return this.runs.size;
  }

  /** Sessions in use, per account. */
  sessionsInUse(): Map<string, number> {
    const used = new Map<string, number>();
    for (const accountId of this.onWire.values()) used.set(accountId, (used.get(accountId) ?? 0) + 1);
    return used;
  }

  /** Resolves once every attempt under way (on `accountId` only, if given) is recorded. */
  async settled(accountId?: string): Promise<void> {
    const runs = [...this.runs.values()].filter((r) => accountId === undefined || r.accountId === accountId);
    await Promise.all(runs.map((r) => r.run));
  }
}
