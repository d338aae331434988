import path from 'node:path';
import type { Launch } from './launch-inbox.ts';
import { parseMailto } from './mailto.ts';
import { requestFromArgv } from './thunderbird-compose.ts';

/**
 * The message a process's argv hands over (first start, or a second instance's), its files resolved
 * against the folder that process was started in. Undefined when argv hands over none.
 */
export function launchFromArgv(argv: readonly string[], cwd: string): Launch | undefined {
  const request = requestFromArgv(argv);
  if (!request) return undefined;
  return {
    request: { ...request, attachments: request.attachments.map((file) => path.resolve(cwd, file)) },
    // requestFromArgv has already dropped a bare mailto: argument's files (the OS passes a clicked
    // link that way): what is left was named by -compose, written by the user or a program they run.
    source: 'program',
  };
}

/** A link macOS hands over by open-url: a web page may have written it, so it attaches nothing. */
export function launchFromUrl(url: string): Launch {
  return { request: parseMailto(url, 'link'), source: 'link' };
}

/** What a second instance sends the first with its lock request: its own argv, as it was. */
export interface SecondInstanceData {
  readonly argv: readonly string[];
}

/**
 * A second instance's argv: the one it sent (`SecondInstanceData`), since Chromium rewrites the
 * command line `second-instance` reports (switches moved, electron/electron#20322); that command
 * line when the data is missing or not ours.
 */
export function secondInstanceArgv(
  commandLine: readonly string[],
  additionalData: unknown,
): readonly string[] {
  const argv = (additionalData as Partial<SecondInstanceData> | null | undefined)?.argv;
  return Array.isArray(argv) && argv.every((arg) => typeof arg === 'string') ? argv : commandLine;
}
