import fs from 'node:fs';
import type { Logger } from '../errors/logger.ts';
import type { QueueStore } from './store/queue-store.ts';
import { SEGMENT_FILE } from './store/segment-writer.ts';

/** How long to gather a burst of folder events into one read. */
const SETTLE_MS = 50;

/** Other processes' appends to the queue folder, read shortly after they land. */
export class QueueFolderWatcher {
  private watcher: fs.FSWatcher | undefined;
  private syncTimer: NodeJS.Timeout | undefined;
  private readonly store: QueueStore;
  private readonly log: Logger;

  constructor(store: QueueStore, log: Logger) {
    this.store = store;
    this.log = log;
  }

  start(folder: string): void {
    this.watcher = fs.watch(folder, (_event, filename) => {
      this.onFolderEvent(filename);
    });
    this.watcher.on('error', (error) => {
      this.log.warn('Watching the queue folder failed', { error });
    });
  }

  stop(): void {
    clearTimeout(this.syncTimer);
    this.watcher?.close();
  }

  private onFolderEvent(filename: string | null): void {
    // This process's own appends are applied as they are written.
    if (!filename || !SEGMENT_FILE.test(filename) || this.store.ownsSegment(filename)) return;
    this.syncTimer ??= setTimeout(() => {
      this.syncTimer = undefined;
      this.store.sync().catch((error: unknown) => {
        this.log.error('Reading queue changes failed', { error });
      });
    }, SETTLE_MS);
  }
}
