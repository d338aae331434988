import path from 'node:path';

/** Where the outbox keeps its files under the data folder. One place, so every process agrees. */
export interface QueuePaths {
  readonly root: string;
  /** One `<id>.json` (state) and `<id>.eml` (RFC 5322 bytes) per message; the JSON commits it. */
  readonly queue: string;
  /** Files being written; renamed into `queue` when complete. Same filesystem, so rename is atomic. */
  readonly tmp: string;
  /** Files that could not be read, set aside so they never block other messages. */
  readonly quarantine: string;
  readonly sent: string;
  /** Attachments taken out of a message the user wants to edit. */
  readonly edits: string;
  readonly lock: string;
  /** See handover-journal.ts. */
  readonly handovers: string;
}

export function queuePaths(dataDir: string): QueuePaths {
  const root = path.join(dataDir, 'outbox');
  return {
    root,
    queue: path.join(root, 'queue'),
    tmp: path.join(root, 'tmp'),
    quarantine: path.join(root, 'quarantine'),
    sent: path.join(root, 'sent'),
    edits: path.join(root, 'edits'),
    lock: path.join(root, 'deliverer.lock'),
    handovers: path.join(root, 'handover.log'),
  };
}

export const stateFile = (paths: QueuePaths, id: string) => path.join(paths.queue, `${id}.json`);
export const bytesFile = (paths: QueuePaths, id: string) => path.join(paths.queue, `${id}.eml`);
