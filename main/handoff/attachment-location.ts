import { fileURLToPath } from 'node:url';
import { AppError } from '../errors/app-error.ts';

// Controls (NUL, line breaks, escapes) name no file a person chose, and would travel into logs
// and the compose window as they are.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\0-\x1f\x7f]/;

/**
 * The local path a handed attachment names: a path as it is, or a `file:` URI decoded to one
 * (RFC 8089; `file:///home/a/x.pdf`, `file://localhost/…`). A URI naming another host or any
 * other scheme is refused: Outbox attaches local files only. Whether the path is absolute, hidden
 * or a system file is for handed-paths.ts to judge.
 */
export function attachmentPath(value: string, field: string): string {
  const refuse = (why: string, cause?: unknown) =>
    new AppError('handoff_invalid', `${field}: ${JSON.stringify(value)} ${why}.`, { field, cause });
  let path = value;
  if (/^file:/i.test(value)) {
    try {
      path = fileURLToPath(value);
    } catch (cause) {
      throw refuse('is not a file: URI of a file on this computer', cause);
    }
  } else if (/^[a-z][a-z0-9+.-]+:\/\//i.test(value)) {
    throw refuse('is not a file on this computer');
  }
  if (path === '' || CONTROL.test(path)) throw refuse('is not a file name');
  return path;
}
