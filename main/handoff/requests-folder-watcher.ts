import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../errors/logger.ts';
import { ensureDir, isNotFound } from '../files/atomic-file.ts';
import { REQUEST_FILE, requestsFolder, takeOpenRequest } from './open-requests.ts';

/** How long to gather a burst of folder events into one read. */
const SETTLE_MS = 50;

/**
 * The app's side of open-requests.ts: watches `requests/` and hands each draft id to `open`, once.
 * Requests already there when it starts (written while the app was starting) are read at once.
 */
export class RequestsFolderWatcher {
  private watcher: fs.FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** One scan at a time; a folder event during a scan asks for one more after it. */
  private scanning: Promise<void> = Promise.resolve();
  private readonly folder: string;
  private readonly open: (draftId: string) => Promise<void>;
  private readonly log: Logger;

  constructor(dataDir: string, open: (draftId: string) => Promise<void>, log: Logger) {
    this.folder = requestsFolder(dataDir);
    this.open = open;
    this.log = log;
  }

  async start(): Promise<void> {
    await ensureDir(this.folder);
    this.watcher = fs.watch(this.folder, () => {
      this.timer ??= setTimeout(() => {
        this.timer = undefined;
        void this.scan();
      }, SETTLE_MS);
    });
    this.watcher.on('error', (error) => {
      this.log.warn('Watching the requests folder failed', { error });
    });
    await this.scan();
  }

  stop(): void {
    clearTimeout(this.timer);
    this.watcher?.close();
    this.watcher = undefined;
  }

  /** Reads every request in the folder now; resolves when they have been handed on. */
  scan(): Promise<void> {
    this.scanning = this.scanning.then(() => this.readAll());
    return this.scanning;
  }

  private async readAll(): Promise<void> {
    let names: string[];
    try {
      names = await fsp.readdir(this.folder);
    } catch (error) {
      if (!isNotFound(error)) this.log.warn('Reading the requests folder failed', { error });
      return;
    }
    for (const name of names.filter((n) => REQUEST_FILE.test(n)).sort()) {
      try {
        await this.open(await takeOpenRequest(path.join(this.folder, name)));
      } catch (error) {
        this.log.warn('Ignoring a request to open a draft', { file: name, error });
      }
    }
  }
}
