import fsp from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../errors/app-error.ts';
import { isNotFound } from '../files/atomic-file.ts';
import { runOrThrow, type CommandRunner } from './command-runner.ts';
import type { OsIntegration } from './os-integration.ts';
import {
  AUTOSTART_FILE,
  autostartEnabled,
  autostartEntry,
  installedAgent,
  LAUNCHD_LABEL,
  launchdAgent,
  SYSTEMD_SERVICE,
  SYSTEMD_TIMER,
  systemdService,
  systemdTimer,
  upcomingTriggers,
  WINDOWS_TASK_NAME,
  windowsTask,
  windowsTaskFileBytes,
  xdgConfigHome,
  type InstallCommands,
} from './os-files.ts';

/**
 * Electron's login item (app.setLoginItemSettings / getLoginItemSettings), which is how macOS and
 * Windows start an app at login. The shell passes it in; this module imports no Electron.
 */
export interface LoginItemPort {
  set(on: boolean): Promise<void> | void;
  get(): Promise<boolean> | boolean;
}

export interface OsIntegrationOptions {
  readonly platform: NodeJS.Platform;
  readonly homeDir: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The data folder: the launchd agent logs to logs/ in it; the task file is written there briefly. */
  readonly dataDir: string;
  readonly commands: InstallCommands;
  readonly run: CommandRunner;
  /** The user's id, for launchctl's gui/<uid> domain (macOS). */
  readonly uid: number;
  readonly now: () => number;
  /** Required on macOS and Windows for start at login; unused on Linux. */
  readonly loginItem?: LoginItemPort;
  /** Scheduled send times, for a timer being switched on (each later change: refreshDeliveryTimer). */
  readonly scheduledTimes?: () => Promise<readonly Date[]>;
}

/**
 * OsIntegration on the files each OS reads, plus refreshDeliveryTimer: the app and `queue flush`
 * call it with the scheduled send times whenever they change, so the timer also fires at the next
 * ones (a no-op while the timer is off).
 *
 * Start at login: Linux writes the XDG autostart entry (Electron does not); on macOS and Windows it
 * is Electron's login item, which the shell passes as `loginItem` (without it, setStartAtLogin
 * throws: the shell must do it).
 */
export interface DesktopIntegration extends OsIntegration {
  refreshDeliveryTimer(nextTimes: readonly Date[]): Promise<void>;
}

/** Writes whole or not at all: a half-written unit or entry is worse than none. */
async function writeWhole(file: string, content: string | Buffer): Promise<void> {
  await fsp.mkdir(path.dirname(file), { recursive: true });
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  try {
    await fsp.writeFile(temp, content, { mode: 0o644 });
    await fsp.rename(temp, file);
  } catch (error) {
    await fsp.rm(temp, { force: true });
    throw new AppError('system_setup_failed', `${file} could not be written.`, { cause: error });
  }
}

const exists = (file: string) =>
  fsp.access(file).then(
    () => true,
    () => false,
  );

async function readIfExists(file: string): Promise<string | undefined> {
  try {
    return await fsp.readFile(file, 'utf8');
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

abstract class BaseIntegration implements DesktopIntegration {
  protected readonly options: OsIntegrationOptions;

  constructor(options: OsIntegrationOptions) {
    this.options = options;
  }

  async setStartAtLogin(on: boolean): Promise<void> {
    await this.requireLoginItem().set(on);
  }

  async isStartAtLogin(): Promise<boolean> {
    return this.requireLoginItem().get();
  }

  async setDeliveryTimer(on: boolean): Promise<void> {
    if (on && this.options.commands.cliCommand.length === 0) {
      throw new AppError(
        'system_setup_failed',
        'Delivering while Outbox is closed needs the outbox command, which the AppImage cannot install: use the deb package, or extract the AppImage and link its command (see docs/installed-cli.md).',
      );
    }
    if (on) await this.installTimer(await this.upcoming());
    else await this.removeTimer();
  }

  async refreshDeliveryTimer(nextTimes: readonly Date[]): Promise<void> {
    if (await this.isDeliveryTimer()) {
      await this.rescheduleTimer(upcomingTriggers(nextTimes, this.options.now()));
    }
  }

  abstract isDeliveryTimer(): Promise<boolean>;
  protected abstract installTimer(scheduled: readonly Date[]): Promise<void>;
  /** New scheduled times for the installed timer, its command left as installed. */
  protected abstract rescheduleTimer(scheduled: readonly Date[]): Promise<void>;
  protected abstract removeTimer(): Promise<void>;

  protected async upcoming(): Promise<Date[]> {
    const times = (await this.options.scheduledTimes?.()) ?? [];
    return upcomingTriggers(times, this.options.now());
  }

  private requireLoginItem(): LoginItemPort {
    const { loginItem, platform } = this.options;
    if (!loginItem) {
      throw new Error(
        `On ${platform} start at login is Electron's login item: the shell must pass loginItem.`,
      );
    }
    return loginItem;
  }
}

/** XDG autostart entry and systemd user units. */
class LinuxIntegration extends BaseIntegration {
  private get configHome(): string {
    return xdgConfigHome(this.options.homeDir, this.options.env);
  }

  get autostartFile(): string {
    return path.join(this.configHome, 'autostart', AUTOSTART_FILE);
  }

  get unitDir(): string {
    return path.join(this.configHome, 'systemd', 'user');
  }

  /** A system-wide entry of the same name (an administrator's) is switched off, not deleted. */
  private async systemWideAutostart(): Promise<boolean> {
    const dirs = (this.options.env.XDG_CONFIG_DIRS || '/etc/xdg')
      .split(':')
      .filter((d) => path.isAbsolute(d));
    for (const dir of dirs) if (await exists(path.join(dir, 'autostart', AUTOSTART_FILE))) return true;
    return false;
  }

  override async setStartAtLogin(on: boolean): Promise<void> {
    if (on) await writeWhole(this.autostartFile, autostartEntry(this.options.commands));
    else if (await this.systemWideAutostart()) {
      await writeWhole(this.autostartFile, autostartEntry(this.options.commands, true));
    } else await fsp.rm(this.autostartFile, { force: true });
  }

  override async isStartAtLogin(): Promise<boolean> {
    const text = await readIfExists(this.autostartFile);
    if (text !== undefined) return autostartEnabled(text);
    return this.systemWideAutostart();
  }

  async isDeliveryTimer(): Promise<boolean> {
    return exists(path.join(this.unitDir, SYSTEMD_TIMER));
  }

  protected async installTimer(scheduled: readonly Date[]): Promise<void> {
    const { commands, run } = this.options;
    const wasInstalled = await this.isDeliveryTimer();
    await writeWhole(path.join(this.unitDir, SYSTEMD_SERVICE), systemdService(commands));
    await writeWhole(path.join(this.unitDir, SYSTEMD_TIMER), systemdTimer(scheduled));
    await runOrThrow(run, 'systemctl', ['--user', 'daemon-reload']);
    // A running timer keeps the calendar it started with: a rewritten one is restarted.
    if (wasInstalled) await runOrThrow(run, 'systemctl', ['--user', 'restart', SYSTEMD_TIMER]);
    await runOrThrow(run, 'systemctl', ['--user', 'enable', '--now', SYSTEMD_TIMER]);
  }

  protected async rescheduleTimer(scheduled: readonly Date[]): Promise<void> {
    const file = path.join(this.unitDir, SYSTEMD_TIMER);
    const timer = systemdTimer(scheduled);
    if ((await readIfExists(file)) === timer) return;
    await writeWhole(file, timer);
    await runOrThrow(this.options.run, 'systemctl', ['--user', 'daemon-reload']);
    await runOrThrow(this.options.run, 'systemctl', ['--user', 'restart', SYSTEMD_TIMER]);
  }

  protected async removeTimer(): Promise<void> {
    const { run } = this.options;
    if (await this.isDeliveryTimer())
      await runOrThrow(run, 'systemctl', ['--user', 'disable', '--now', SYSTEMD_TIMER]);
    await fsp.rm(path.join(this.unitDir, SYSTEMD_TIMER), { force: true });
    await fsp.rm(path.join(this.unitDir, SYSTEMD_SERVICE), { force: true });
    await runOrThrow(run, 'systemctl', ['--user', 'daemon-reload']);
  }
}

/** A launchd agent in ~/Library/LaunchAgents, in the user's GUI session (the keychain is there). */
class MacIntegration extends BaseIntegration {
  get agentFile(): string {
    return path.join(this.options.homeDir, 'Library', 'LaunchAgents', `${LAUNCHD_LABEL}.plist`);
  }

  private get domain(): string {
    return `gui/${this.options.uid}`;
  }

  async isDeliveryTimer(): Promise<boolean> {
    return exists(this.agentFile);
  }

  protected async installTimer(scheduled: readonly Date[]): Promise<void> {
    const { commands, dataDir } = this.options;
    const logs = path.join(dataDir, 'logs');
    await fsp.mkdir(logs, { recursive: true });
    await this.load(launchdAgent(commands.cliCommand, scheduled, path.join(logs, 'deliver.log')));
  }

  protected async rescheduleTimer(scheduled: readonly Date[]): Promise<void> {
    const installed = await readIfExists(this.agentFile);
    if (installed === undefined) return;
    const agent = installedAgent(installed);
    const text = launchdAgent(agent.program, scheduled, agent.logFile);
    if (text !== installed) await this.load(text);
  }

  /** launchd keeps the agent it loaded: a rewritten one is taken out (if loaded) and loaded again. */
  private async load(agent: string): Promise<void> {
    const { run } = this.options;
    await writeWhole(this.agentFile, agent);
    await run('launchctl', ['bootout', `${this.domain}/${LAUNCHD_LABEL}`]);
    await runOrThrow(run, 'launchctl', ['bootstrap', this.domain, this.agentFile]);
  }

  protected async removeTimer(): Promise<void> {
    await this.options.run('launchctl', ['bootout', `${this.domain}/${LAUNCHD_LABEL}`]);
    await fsp.rm(this.agentFile, { force: true });
  }
}

/** A Task Scheduler task of the user's, Outbox\Deliver. */
class WindowsIntegration extends BaseIntegration {
  async isDeliveryTimer(): Promise<boolean> {
    const result = await this.options.run('schtasks', ['/Query', '/TN', WINDOWS_TASK_NAME]);
    return result.code === 0;
  }

  protected async installTimer(scheduled: readonly Date[]): Promise<void> {
    const { commands, dataDir, run, now } = this.options;
    const file = path.join(dataDir, 'outbox-deliver-task.xml');
    await writeWhole(file, windowsTaskFileBytes(windowsTask(commands, scheduled, new Date(now()))));
    try {
      await runOrThrow(run, 'schtasks', ['/Create', '/TN', WINDOWS_TASK_NAME, '/XML', file, '/F']);
    } finally {
      await fsp.rm(file, { force: true });
    }
  }

  /** The task's command cannot be read back cheaply: it is registered again with this build's. */
  protected rescheduleTimer(scheduled: readonly Date[]): Promise<void> {
    return this.installTimer(scheduled);
  }

  protected async removeTimer(): Promise<void> {
    if (await this.isDeliveryTimer()) {
      await runOrThrow(this.options.run, 'schtasks', ['/Delete', '/TN', WINDOWS_TASK_NAME, '/F']);
    }
  }
}

/** The integration for `options.platform`. */
export function createOsIntegration(options: OsIntegrationOptions): DesktopIntegration {
  if (options.platform === 'linux') return new LinuxIntegration(options);
  if (options.platform === 'darwin') return new MacIntegration(options);
  if (options.platform === 'win32') return new WindowsIntegration(options);
  throw new Error(`Outbox does not integrate with ${options.platform}.`);
}
