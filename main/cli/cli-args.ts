import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import { usageError } from './exit-codes.ts';

const HELP = { help: { type: 'boolean', short: 'h' } } as const;

/**
 * One command's arguments, strictly: an unknown option or a missing value is a usage error (64)
 * naming the command's help, never a guess.
 */
export function parseCommand<const O extends ParseArgsOptionsConfig>(
  command: string,
  args: readonly string[],
  options: O,
) {
  try {
    return parseArgs({
      args: [...args],
      options: { ...options, ...HELP },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw usageError(`${message.split('\n')[0] ?? message} (see "outbox ${command} --help")`);
  }
}

export function expectPositionals(
  command: string,
  positionals: readonly string[],
  names: readonly string[],
): string[] {
  if (positionals.length !== names.length) {
    const wanted = names.length === 0 ? 'no arguments' : names.join(' ');
    throw usageError(`"outbox ${command}" takes ${wanted} (see "outbox ${command} --help")`);
  }
  return [...positionals];
}

/** A whole number option, e.g. --port. */
export function integerOption(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value))
    throw usageError(`--${name} must be a whole number, not ${JSON.stringify(value)}`);
  return Number(value);
}
