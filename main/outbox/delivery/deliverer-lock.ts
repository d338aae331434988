import { randomBytes } from '../../core/random.ts';
import fsp from 'node:fs/promises';
import { isNotFound } from '../../files/atomic-file.ts';
import { currentProcess, isAlive, type ProcessIdentity } from '../../files/process-identity.ts';

/** A lock file being written right now may look empty for a moment; only an old one is stale. */
const TORN_LOCK_GRACE_MS = 10_000;

/** Who delivers: the app, a `queue flush`, or an accounts command keeping the app from starting to. */
export type DelivererRole = 'app' | 'queue-flush' | 'accounts';

interface Holder extends ProcessIdentity {
  readonly token: string;
  /** Absent in locks written before it was recorded. */
  readonly role?: DelivererRole;
}

/** The live process holding the lock, as far as its file tells. */
export interface LockHolder {
  readonly pid: number;
  readonly role: DelivererRole | undefined;
}

const ROLES: readonly string[] = ['app', 'queue-flush', 'accounts'] satisfies DelivererRole[];

export interface DelivererLock {
  release(): Promise<void>;
}

function parseHolder(text: string): Holder | undefined {
  try {
    const value = JSON.parse(text) as Partial<Holder>;
    return typeof value.pid === 'number' && typeof value.token === 'string' ? (value as Holder) : undefined;
  } catch {
    return undefined;
  }
}

async function isStale(file: string, text: string): Promise<boolean> {
  const holder = parseHolder(text);
  if (holder) return !(await isAlive(holder));
  const stat = await fsp.stat(file).catch(() => undefined);
  return stat !== undefined && Date.now() - stat.mtimeMs > TORN_LOCK_GRACE_MS;
}

async function create(file: string, holder: Holder): Promise<boolean> {
  let handle: fsp.FileHandle;
  try {
    handle = await fsp.open(file, 'wx', 0o600);
  } catch (error) {
    if ((error as { code?: unknown }).code === 'EEXIST') return false;
    throw error;
  }
  try {
    await handle.writeFile(JSON.stringify(holder));
    await handle.sync();
  } finally {
    await handle.close();
  }
  return true;
}

/**
 * Moves a dead holder's lock out of the way. The rename is atomic, so of several processes that
 * found the same stale lock only one gets it; if what it got is not what it judged stale (a live
 * process took over in between), it puts it back.
 */
async function breakStale(file: string, staleText: string): Promise<void> {
  const aside = `${file}.${randomBytes(6).toString('hex')}.stale`;
  try {
    await fsp.rename(file, aside);
  } catch (error) {
    if (isNotFound(error)) return;
    throw error;
  }
  if ((await fsp.readFile(aside, 'utf8')) !== staleText) {
    await fsp.link(aside, file).catch(() => undefined);
  }
  await fsp.rm(aside, { force: true });
}

/**
 * Takes the one-deliverer-per-data-folder lock if no live process holds it. A holder that crashed
 * leaves a lock whose pid is gone (or was recycled), which the next caller breaks.
 */
export async function tryAcquireDelivererLock(
  file: string,
  role?: DelivererRole,
): Promise<DelivererLock | undefined> {
  const holder: Holder = {
    ...(await currentProcess()),
    token: randomBytes(12).toString('hex'),
    ...(role ? { role } : {}),
  };
  for (let tries = 0; tries < 3; tries++) {
    if (await create(file, holder)) {
      return {
        async release() {
          const text = await fsp.readFile(file, 'utf8').catch(() => '');
          if (parseHolder(text)?.token === holder.token) await fsp.rm(file, { force: true });
        },
      };
    }
    const text = await fsp.readFile(file, 'utf8').catch(() => undefined);
    if (text === undefined) continue;
    if (!(await isStale(file, text))) return undefined;
    await breakStale(file, text);
  }
  return undefined;
}

/** Who holds the lock now: undefined when nobody does, or only a dead process does. */
export async function delivererLockHolder(file: string): Promise<LockHolder | undefined> {
  const text = await fsp.readFile(file, 'utf8').catch(() => undefined);
  const holder = text === undefined ? undefined : parseHolder(text);
  if (!holder || !(await isAlive(holder))) return undefined;
  // A role this build does not know (a newer one wrote it) reads as unknown.
  const role = ROLES.includes(holder.role ?? '') ? holder.role : undefined;
  return { pid: holder.pid, role };
}
