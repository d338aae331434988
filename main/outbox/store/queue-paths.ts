import path from 'node:path';

/** Where the outbox keeps its files under the data folder. One place, so every process agrees. */
export interface QueuePaths {
  readonly root: string;
  /** The queue log: append-only segment files, one writer each (see queue-log-format.ts). */
  readonly queue: string;
  /** The bytes of messages too large to sit in the log, one `<id>.eml` each. */
  readonly bodies: string;
  /** Files being written; renamed into place when complete. Same filesystem, so rename is atomic. */
  readonly tmp: string;
  /** Damaged log stretches and unreadable messages, set aside so they never block the others. */
  readonly quarantine: string;
  readonly sent: string;
  /** Attachments taken out of a message the user wants to edit. */
  readonly edits: string;
  readonly lock: string;
}

export function queuePaths(dataDir: string): QueuePaths {
  const root = path.join(dataDir, 'outbox');
  return {
    root,
    queue: path.join(root, 'queue'),
    bodies: path.join(root, 'bodies'),
    tmp: path.join(root, 'tmp'),
    quarantine: path.join(root, 'quarantine'),
    sent: path.join(root, 'sent'),
    edits: path.join(root, 'edits'),
    lock: path.join(root, 'deliverer.lock'),
  };
}

export const bodyFile = (paths: QueuePaths, id: string) => path.join(paths.bodies, `${id}.eml`);
