import { execFile } from 'node:child_process';
import { AppError } from '../errors/app-error.ts';

export interface CommandResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a program (no shell) and reports how it ended; never throws for a non-zero exit. */
export type CommandRunner = (program: string, args: readonly string[]) => Promise<CommandResult>;

export const nodeCommandRunner: CommandRunner = (program, args) =>
  new Promise((resolve, reject) => {
    execFile(program, [...args], { shell: false, timeout: 60_000 }, (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') {
        reject(new AppError('system_setup_failed', `${program} could not be run (${error.message}).`));
        return;
      }
      resolve({ code: typeof error?.code === 'number' ? error.code : 0, stdout, stderr });
    });
  });

/** Runs a command that must succeed; its own words (first line of stderr) say why it did not. */
export async function runOrThrow(
  run: CommandRunner,
  program: string,
  args: readonly string[],
): Promise<void> {
  const result = await run(program, args);
  if (result.code === 0) return;
  const said = result.stderr.trim().split('\n')[0] ?? '';
  throw new AppError(
    'system_setup_failed',
    `"${[program, ...args].join(' ')}" failed (exit ${result.code})${said ? `: ${said}` : ''}.`,
  );
}
