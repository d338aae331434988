import type { QueueRecord } from '../store/queue-record.ts';
import type { QueueStore } from '../store/queue-store.ts';

/**
 * Saves the record of a message whose bytes are already written, or removes those bytes when the
 * save fails: until its record is saved a message does not exist, and must leave nothing behind.
 */
export async function saveOrRollBack(store: QueueStore, record: QueueRecord): Promise<void> {
  try {
    await store.save(record);
  } catch (error) {
    await store.remove(record.id).catch(() => undefined);
    throw error;
  }
}
