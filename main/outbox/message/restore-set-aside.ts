import { createReadStream } from 'node:fs';
import { AppError } from '../../errors/app-error.ts';
import type { QueueRecord } from '../store/queue-record.ts';
import type { QueueStore } from '../store/queue-store.ts';
import { saveOrRollBack } from './commit-message.ts';
import { newQueueId } from './message-ids.ts';

/**
 * The state a restored message re-enters the queue in, under a new queue id: a removal is final in
 * the log whatever its revision (queue-view.ts), and setting aside removed the old id. Its
 * Message-ID, recipients' states and attempts are kept, so nothing already delivered goes again.
 * Unconfirmed (the server may have it) and failed messages stay so, for the user to decide; one
 * scheduled for later keeps its time; every other one is queued and due now.
 */
export function restoredRecord(record: QueueRecord, id: string, now: number): QueueRecord {
  const { undoUntil, lastError, nextAttemptAt, ...kept } = record;
  const base = { ...kept, id };
  if (record.state === 'unconfirmed' || record.state === 'failed') {
    return { ...base, ...(lastError ? { lastError } : {}), ...(nextAttemptAt ? { nextAttemptAt } : {}) };
  }
  if (record.state === 'scheduled' && record.sendAt !== undefined && Date.parse(record.sendAt) > now) {
    return { ...base, state: 'scheduled', nextAttemptAt: record.sendAt };
  }
  return { ...base, state: 'queued', nextAttemptAt: new Date(now).toISOString() };
}

/**
 * Brings a set-aside message back into the queue, durably, then removes its folder: a crash in
 * between leaves both, never neither. The queue id it goes back under is recorded in the folder
 * first, so a restore asked for again after such a crash finds the message already queued and
 * only removes the folder. One sent since is refused, its files kept, for as long as the sent log
 * names it (`wasSent`; its retention), and one taken out of the queue since (cancelled) for as long
 * as the log keeps its removal (an hour at least, compaction.ts); past both, it would be queued
 * again. Returns its new state.
 */
export async function restoreSetAside(
  store: QueueStore,
  key: string,
  now: number,
  wasSent: (id: string) => Promise<boolean>,
): Promise<QueueRecord> {
  // Claimed first, so the bytes are checked and copied by one restore at a time.
  const release = await store.claimSetAside(key);
  let restored: QueueRecord;
  try {
    const { record, bytes } = await store.setAsideMessage(key);
    const id = await store.setAsideRestoreId(key, newQueueId(now));
    await store.sync();
    const queued = store.get(id);
    if (queued) {
      await store.discardSetAside(key);
      return queued;
    }
    if (await wasSent(id)) throw restoredBefore(key, 'and sent', bytes);
    restored = restoredRecord(record, id, now);
    const size = await store.writeBytes(restored.id, createReadStream(bytes));
    if (size !== (record.storedSizeBytes ?? record.sizeBytes)) {
      await store.remove(restored.id);
      throw new AppError(
        'message_damaged',
        `${key} changed while it was restored; its files stay at ${bytes}.`,
      );
    }
    await saveOrRollBack(store, restored);
    // The log keeps a removal final: a message taken out since the earlier restore stays out.
    if (!store.get(restored.id)) throw restoredBefore(key, 'and taken out of the queue since', bytes);
  } catch (error) {
    await release();
    throw error;
  }
  await store.discardSetAside(key);
  return store.get(restored.id) ?? restored;
}

function restoredBefore(key: string, since: string, files: string): AppError {
  return new AppError(
    'invalid_state',
    `${key} was restored already ${since}, so it is not queued again; its files stay at ${files}.`,
  );
}
