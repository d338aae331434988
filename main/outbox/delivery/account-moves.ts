import type { AccountsPort, SenderAccount } from '../../core/ports.ts';
import { AppError } from '../../errors/app-error.ts';
import type { LiveQueue } from '../live-queue.ts';
import { needsSmtpUtf8, senderOf } from '../message/compose-message.ts';
import { sizeWithFrom } from '../message/from-rewrite.ts';
import type { QueueRecord } from '../store/queue-record.ts';
import type { QueueStore } from '../store/queue-store.ts';
import type { InFlight } from './in-flight.ts';

export interface AccountMovesDeps {
  readonly accounts: AccountsPort;
  readonly store: QueueStore;
  readonly queue: LiveQueue;
  readonly inFlight: InFlight;
  /** Called once a move ends: the accounts involved may send again. */
  readonly onMoved: () => void;
}

/** Moves an account's messages to another account (when the first one is removed). */
export class AccountMoves {
  /** Accounts whose messages are being moved: no attempt may start on them meanwhile. */
  private readonly moving = new Set<string>();
  private readonly deps: AccountMovesDeps;

  constructor(deps: AccountMovesDeps) {
    this.deps = deps;
  }

  isMoving(accountId: string): boolean {
    return this.moving.has(accountId);
  }

  async move(fromAccountId: string, toAccountId: string): Promise<void> {
    const { queue, inFlight } = this.deps;
    const sender = senderOf(this.target(toAccountId));
    // No attempt may start on the old account while its messages move (each move awaits a read).
    this.moving.add(fromAccountId);
    try {
      // Attempts under way end first: one that ends deferred must not stay with the old account.
      await inFlight.settled(fromAccountId);
      for (const id of queue.ids()) {
        // Current, not as listed: a cancel or an edit may have come in meanwhile.
        if (queue.entry(id)?.accountId !== fromAccountId || inFlight.has(id)) continue;
        const record = queue.get(id);
        if (record) await this.retarget(record, toAccountId, sender, (moved) => moved);
      }
    } finally {
      this.moving.delete(fromAccountId);
      this.deps.onMoved();
    }
  }

  /**
   * Moves one message (not under way: the caller withdrew it or checked) to another account;
   * `adjust` may change more of it (its state) as it moves. False when it changed meanwhile.
   */
  async moveOne(
    record: QueueRecord,
    toAccountId: string,
    adjust: (moved: QueueRecord) => QueueRecord,
  ): Promise<boolean> {
    try {
      return await this.retarget(record, toAccountId, senderOf(this.target(toAccountId)), adjust);
    } finally {
      this.deps.onMoved();
    }
  }

  private target(toAccountId: string): SenderAccount {
    const target = this.deps.accounts.find(toAccountId);
    if (!target) throw new AppError('unknown_account', 'The account to move the messages to does not exist.');
    return target;
  }

  private async retarget(
    record: QueueRecord,
    toAccountId: string,
    sender: ReturnType<typeof senderOf>,
    adjust: (moved: QueueRecord) => QueueRecord,
  ): Promise<boolean> {
    const { store, queue } = this.deps;
    // The state `record` is (its entry is replaced by any change), before the read below awaits.
    const before = queue.entry(record.id);
    // The stored bytes stay; the From field is replaced as the message goes out.
    const storedSizeBytes = record.storedSizeBytes ?? record.sizeBytes;
    const sizeBytes = await sizeWithFrom(store.openBytes(record.id), sender.fromField, storedSizeBytes);
    if (before === undefined || queue.entry(record.id) !== before) return false;
    await queue.save(
      adjust({
        ...record,
        accountId: toAccountId,
        ...sender,
        needsSmtpUtf8: needsSmtpUtf8([sender.envelopeFrom, ...record.recipients.map((r) => r.address)]),
        sizeBytes,
        storedSizeBytes,
      }),
    );
    return true;
  }
}
