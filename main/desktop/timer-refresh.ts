import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { nodeCommandRunner } from './command-runner.ts';
import { createOsIntegration } from './create-os-integration.ts';
import { LAUNCHD_LABEL, scheduledSendTimes, SYSTEMD_TIMER, xdgConfigHome } from './os-files.ts';

export interface TimerRefreshContext {
  readonly platform: NodeJS.Platform;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly homeDir?: string;
}

/** The installed timer's file, where its command can be read back (not Windows: see below). */
function installedTimerFile({
  platform,
  env,
  homeDir = os.homedir(),
}: TimerRefreshContext): string | undefined {
  if (platform === 'linux') return path.join(xdgConfigHome(homeDir, env), 'systemd', 'user', SYSTEMD_TIMER);
  if (platform === 'darwin') return path.join(homeDir, 'Library', 'LaunchAgents', `${LAUNCHD_LABEL}.plist`);
  // A Task Scheduler task would be registered again with this process's command, which a
  // command-line run cannot vouch for: there the app refreshes it.
  return undefined;
}

/**
 * After `queue flush`: the timer fires at the next scheduled sends (the flush it ran may have sent
 * the one it fired for). Only for the default data folder, the one the timer's flush delivers, and
 * only when the timer is installed: a stat, otherwise.
 */
export async function refreshInstalledTimer(
  context: TimerRefreshContext,
  items: Iterable<{ readonly state: string; readonly sendAt?: string | undefined }>,
): Promise<void> {
  if (context.env.OUTBOX_HOME) return;
  const file = installedTimerFile(context);
  if (
    file === undefined ||
    !(await fsp.access(file).then(
      () => true,
      () => false,
    ))
  )
    return;
  const homeDir = context.homeDir ?? os.homedir();
  const integration = createOsIntegration({
    platform: context.platform,
    homeDir,
    env: context.env,
    dataDir: homeDir,
    // Unused: a refresh keeps the installed command.
    commands: { appCommand: [], cliCommand: [] },
    run: nodeCommandRunner,
    uid: process.getuid?.() ?? 0,
    now: Date.now,
  });
  await integration.refreshDeliveryTimer(scheduledSendTimes(items));
}
