import { constants } from 'node:fs';
import fsp, { type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import type Mail from 'nodemailer/lib/mailer';
import { AppError } from '../../errors/app-error.ts';
import { errno } from '../../files/atomic-file.ts';

/**
 * Without it, opening a FIFO waits for a writer, possibly for ever. It changes nothing for a
 * regular file (POSIX: reads of regular files ignore it). Windows has none.
 */
const O_NONBLOCK = (constants as { O_NONBLOCK?: number }).O_NONBLOCK ?? 0;
/** A terminal device opened without it could become this process's controlling terminal. */
const O_NOCTTY = (constants as { O_NOCTTY?: number }).O_NOCTTY ?? 0;
const OPEN_FLAGS = constants.O_RDONLY | O_NONBLOCK | O_NOCTTY;
const CHUNK_BYTES = 64 * 1024;

const NOT_THERE = new Set(['ENOENT', 'ENOTDIR', 'ELOOP']);
/** A socket (Linux) or a directory (Windows) cannot be opened for reading at all. */
const NOT_OPENABLE = new Set(['ENXIO', 'EISDIR']);

/** Why opening failed, as the user's error: the path leads nowhere, to no file, or is closed to us. */
function openError(error: unknown, filePath: string, field: string): AppError {
  const code = errno(error) ?? '';
  if (NOT_THERE.has(code)) {
    return new AppError('attachment_missing', `${field}: ${filePath} does not exist.`, {
      field,
      cause: error,
    });
  }
  if (NOT_OPENABLE.has(code)) return notAFile(filePath, field);
  return unreadable(`${field}: ${filePath} cannot be read.`, field, error);
}

const notAFile = (filePath: string, field: string) =>
  new AppError('attachment_not_a_file', `${field}: ${filePath} is not a file.`, { field });

const unreadable = (message: string, field: string, cause?: unknown) =>
  new AppError('attachment_unreadable', message, { field, cause });

/**
 * A file to attach, opened once. The path is followed once, when opened (a symlink the user chose
 * is fine); from then on only the descriptor is checked and read, so a path swapped afterwards (for
 * /dev/zero, a FIFO or another file) changes nothing. Its content is the `size` bytes fstat saw:
 * a file that grows is cut there, one that shrinks fails.
 */
export class AttachmentFile {
  readonly path: string;
  readonly field: string;
  /** What fstat said when the file was opened: all of the attachment, whatever the file does later. */
  readonly size: number;
  private readonly handle: FileHandle;
  private closing: Promise<void> | undefined;

  private constructor(handle: FileHandle, filePath: string, field: string, size: number) {
    this.handle = handle;
    this.path = filePath;
    this.field = field;
    this.size = size;
  }

  /** Opens `filePath` and refuses, before reading any of it, anything that is not a regular file. */
  static async open(filePath: string, field: string): Promise<AttachmentFile> {
    const handle = await fsp.open(filePath, OPEN_FLAGS).catch((error: unknown) => {
      throw openError(error, filePath, field);
    });
    try {
      const stat = await handle.stat();
      if (!stat.isFile()) throw notAFile(filePath, field);
      // Reading a byte is the only honest test: permissions, ACLs and odd files all show here.
      const probe = await handle.read(Buffer.alloc(1), 0, 1, 0).catch((error: unknown) => {
        throw unreadable(`${field}: ${filePath} cannot be read.`, field, error);
      });
      // procfs and sysfs files say size 0 and still have content: its end cannot be known.
      if (stat.size === 0 && probe.bytesRead > 0) {
        throw unreadable(`${field}: ${filePath} does not tell its size, so it cannot be attached.`, field);
      }
      return new AttachmentFile(handle, filePath, field, stat.size);
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  /** The attachment as MailComposer takes it: content from the descriptor, never the path. */
  mailAttachment(): Mail.Attachment {
    return { filename: path.basename(this.path), content: this.stream() };
  }

  /** The file's first `size` bytes, read at their positions from the descriptor. */
  stream(): Readable {
    return new DescriptorStream(this.handle, this.size, {
      shrunk: () =>
        unreadable(
          `${this.field}: ${this.path} became shorter while it was being attached; attach it again.`,
          this.field,
        ),
      failed: (cause) => unreadable(`${this.field}: ${this.path} cannot be read.`, this.field, cause),
    });
  }

  /** Closes the descriptor; safe to call more than once. Waits for a read under way. */
  close(): Promise<void> {
    this.closing ??= this.handle.close();
    return this.closing;
  }
}

interface StreamErrors {
  shrunk(): AppError;
  failed(cause: unknown): AppError;
}

/** Reads `size` bytes of `handle` from position 0; fewer is an error, more are never read. */
class DescriptorStream extends Readable {
  private readonly handle: FileHandle;
  private readonly size: number;
  private readonly errors: StreamErrors;
  private position = 0;

  constructor(handle: FileHandle, size: number, errors: StreamErrors) {
    super({ highWaterMark: CHUNK_BYTES });
    this.handle = handle;
    this.size = size;
    this.errors = errors;
  }

  override _read(wanted: number): void {
    const left = this.size - this.position;
    if (left === 0) {
      this.push(null);
      return;
    }
    const buffer = Buffer.allocUnsafe(Math.min(Math.max(wanted, 1), left, CHUNK_BYTES));
    this.handle.read(buffer, 0, buffer.length, this.position).then(
      ({ bytesRead }) => {
        if (bytesRead === 0) {
          this.destroy(this.errors.shrunk());
          return;
        }
        this.position += bytesRead;
        this.push(buffer.subarray(0, bytesRead));
      },
      (error: unknown) => this.destroy(this.errors.failed(error)),
    );
  }
}

/**
 * Opens every attachment, in order, runs `use` with them and closes them all, whatever happens.
 * If one is refused, those already open are closed and its error is thrown, naming `fieldOf(i)`.
 */
export async function withAttachments<T>(
  paths: readonly string[],
  use: (files: readonly AttachmentFile[]) => Promise<T>,
  fieldOf: (index: number) => string = (index) => `attachments.${index}`,
): Promise<T> {
  const opened: AttachmentFile[] = [];
  try {
    for (const [i, filePath] of paths.entries()) {
      opened.push(await AttachmentFile.open(filePath, fieldOf(i)));
    }
    return await use(opened);
  } finally {
    await Promise.all(opened.map((file) => file.close()));
  }
}

/**
 * The attachments' bytes in all. When they alone exceed the account's limit the message will
 * too, as encoding only adds (base64 a third, RFC 2045 section 6.8): refused before any is read.
 */
export const attachedBytes = (files: readonly Pick<AttachmentFile, 'size'>[]) =>
  files.reduce((sum, file) => sum + file.size, 0);
