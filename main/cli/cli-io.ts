import fs from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { errno } from '../files/atomic-file.ts';
import { EXIT } from './exit-codes.ts';

/** Where a command reads and writes; the entry point passes the process's own streams. */
export interface CliIo {
  readonly stdin: Readable;
  readonly stdout: Writable;
  readonly stderr: Writable;
  readonly env: NodeJS.ProcessEnv;
}

export function print(io: CliIo, text: string): void {
  io.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

/**
 * The process's stdin. Node hands a process whose stdin is a directory (`outbox sendmail < /`) an
 * empty stream, which would pass for empty input; read through the descriptor, it fails as it should.
 */
export function processStdin(): Readable {
  let directory = false;
  try {
    directory = fs.fstatSync(0).isDirectory();
  } catch {
    // No descriptor 0 at all: Node's own stream is what there is.
  }
  return directory ? fs.createReadStream('', { fd: 0, autoClose: false }) : process.stdin;
}

/** Why input could not be read, for the rest of a one-line error. */
export function readFailure(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EISDIR') return 'it is a directory';
  return error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
}

export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks);
}

/** A command group's help: on stdout when asked for (exit 0), on stderr when the subcommand is missing (64). */
export function groupHelp(io: CliIo, asked: boolean, help: string): number {
  (asked ? io.stdout : io.stderr).write(help);
  return asked ? EXIT.ok : EXIT.usage;
}

/**
 * A reader that stops early (`outbox queue list | head -1`) closes the pipe: normal, not a failure.
 * Output to it stops and the command runs to its end, so its exit status says whether it did its
 * work (a flush cut short would leave a message unconfirmed); Node ignores SIGPIPE, so the shell's
 * usual 141 cannot be had anyway. Any other write error (a full disk) still goes to `report`.
 */
export function ignoreClosedPipe(stream: Writable, report: (error: unknown) => void): void {
  stream.on('error', (error: unknown) => {
    if (errno(error) !== 'EPIPE') report(error);
  });
}
