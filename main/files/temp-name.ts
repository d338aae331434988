import { randomBytes } from '../core/random.ts';
import { currentProcess, type ProcessIdentity } from './process-identity.ts';

/**
 * `<pid>-<start>-<random>.tmp`: a temp file names the process that writes it, so another process
 * can tell a dead writer's leftovers from a live writer's work, however old. `<start>` is empty
 * where the platform tells none (see process-identity.ts). Older builds wrote
 * `<target>.<random>.tmp`, with dots these names never have.
 */
const NAME = /^([1-9]\d*)-(\d*)-[0-9a-f]+\.tmp$/;

export function tempFileName(writer: ProcessIdentity): string {
  return `${writer.pid}-${writer.started ?? ''}-${randomBytes(6).toString('hex')}.tmp`;
}

/** The process that writes (or wrote) a temp file; undefined for a name without one. */
export function writerOfTempFile(name: string): ProcessIdentity | undefined {
  const match = NAME.exec(name);
  if (!match) return undefined;
  const [, pid, started] = match;
  return { pid: Number(pid), ...(started ? { started } : {}) };
}

let own: Promise<ProcessIdentity> | undefined;

/** This process's identity, read once: it does not change while the process lives. */
export function ownIdentity(): Promise<ProcessIdentity> {
  own ??= currentProcess();
  return own;
}
