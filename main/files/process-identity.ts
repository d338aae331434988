import fsp from 'node:fs/promises';

/** A process as another process can recognise it later, even after its pid has been recycled. */
export interface ProcessIdentity {
  readonly pid: number;
  /** The process's start time (Linux /proc), so a recycled pid does not pass for the same process. */
  readonly started?: string;
}

async function processStart(pid: number): Promise<string | undefined> {
  try {
    const stat = await fsp.readFile(`/proc/${pid}/stat`, 'utf8');
    // Field 22 (starttime) counts from after the command name, which may itself contain spaces.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

export async function currentProcess(): Promise<ProcessIdentity> {
  const started = await processStart(process.pid);
  return { pid: process.pid, ...(started ? { started } : {}) };
}

export async function isAlive(identity: ProcessIdentity): Promise<boolean> {
  try {
    process.kill(identity.pid, 0);
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ESRCH') return false;
  }
  if (identity.started === undefined) return true;
  const started = await processStart(identity.pid);
  return started === undefined || started === identity.started;
}
