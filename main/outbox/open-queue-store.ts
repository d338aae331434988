import type { EventSink } from '../core/ports.ts';
import type { Logger } from '../errors/logger.ts';
import { nodeFileSystem, type FileSystemSeam } from '../files/atomic-file.ts';
import type { SentLog } from '../sent/sent-log.ts';
import { describeSetAside } from './store/quarantine-notice.ts';
import type { QueuePaths } from './store/queue-paths.ts';
import { createQueueStore, type QueueStore } from './store/queue-store.ts';

export interface QueueStoreWiring {
  readonly emit: EventSink;
  readonly log: Logger;
  /** Where durable writes go through; tests use it to fill the disk. */
  readonly fs?: FileSystemSeam | undefined;
  /** Told each time a record is read back from the log (tests count them: the core holds an index). */
  readonly onRecordRead?: (() => void) | undefined;
}

/**
 * The queue store, with what it sets aside told to the user. Its own module, apart from
 * create-outbox.ts: `outbox sendmail` opens the store alone, without delivery's modules (issue 17).
 */
export function openQueueStore(
  wiring: QueueStoreWiring,
  paths: QueuePaths,
  sentLog: SentLog,
  onChange?: (ids: readonly string[]) => void,
): QueueStore {
  const { log, emit } = wiring;
  return createQueueStore(paths, {
    fs: wiring.fs ?? nodeFileSystem,
    ...(wiring.onRecordRead ? { onRecordRead: wiring.onRecordRead } : {}),
    beforeReclaim: (sent) => sentLog.restore(sent),
    ...(onChange ? { onChange } : {}),
    onQuarantine: (notice) => {
      const what = describeSetAside(notice);
      log.warn(`Queue data set aside: ${what}: ${notice.reason}`, { file: notice.file, key: notice.key });
      emit('app:noticed', {
        level: 'warning',
        message:
          notice.id === undefined
            ? `Part of the queue was damaged (${notice.reason}) and was moved to ${notice.file}; the rest is unaffected.`
            : `The queue set aside ${what} (${notice.reason}); it is kept at ${notice.file}.`,
      });
    },
  });
}
