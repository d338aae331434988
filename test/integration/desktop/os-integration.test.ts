import { execFile } from 'node:child_process';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { XMLParser } from 'fast-xml-parser';
import plist from 'plist';
import { afterAll, describe, expect, it } from 'vitest';
import type { CommandRunner } from '../../../main/desktop/command-runner.ts';
import {
  createOsIntegration,
  type OsIntegrationOptions,
} from '../../../main/desktop/create-os-integration.ts';
import { HEADLESS_FLUSH_ARGS, START_HIDDEN_ARG } from '../../../main/desktop/os-files.ts';

const run = promisify(execFile);
const now = Date.parse('2026-12-04T09:00:00Z');
const folders: string[] = [];

afterAll(async () => {
  await Promise.all(folders.map((folder) => fsp.rm(folder, { recursive: true, force: true })));
});

/** A folder whose path has a space, a quote, a dollar and a percent sign in it. */
async function awkwardFolder(): Promise<string> {
  const base = await fsp.mkdtemp(path.join(os.tmpdir(), 'outbox-desktop-'));
  folders.push(base);
  const folder = path.join(base, `it's "my" $HOME 100%`);
  await fsp.mkdir(folder, { recursive: true });
  return folder;
}

/** Every file under `dir`, relative, sorted: what a user would find there. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await fsp.readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => !entry.isDirectory())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)))
    .sort();
}

/** Records each command; answers as `answer` says (0 by default). */
function recordingRunner(
  answer: (program: string, args: readonly string[]) => Promise<number> | number = () => 0,
) {
  const calls: string[][] = [];
  const runner: CommandRunner = async (program, args) => {
    calls.push([program, ...args]);
    return { code: await answer(program, args), stdout: '', stderr: '' };
  };
  return { calls, runner };
}

/**
 * A real program standing in for the installed CLI and app, at a path that needs quoting: it
 * writes the arguments it was given, one a line, to `args` beside it.
 */
async function installedProgram(folder: string): Promise<string> {
  const program = path.join(folder, 'Out box "cli"');
  const argsFile = path.join(folder, 'args').replaceAll("'", "'\\''");
  await fsp.writeFile(
    program,
    `#!/bin/sh\nfor a in "$@"; do printf '%s\\n' "$a"; done > '${argsFile}.tmp'\nmv '${argsFile}.tmp' '${argsFile}'\n`,
  );
  await fsp.chmod(program, 0o755);
  return program;
}

/** The arguments the program got, once it has run. */
async function argsReceived(folder: string): Promise<string[]> {
  for (;;) {
    const text = await fsp.readFile(path.join(folder, 'args'), 'utf8').catch(() => undefined);
    if (text !== undefined) return text.split('\n').slice(0, -1);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function linuxSetup(extra: Partial<OsIntegrationOptions> = {}) {
  const home = await awkwardFolder();
  const configHome = path.join(home, 'config home');
  await fsp.mkdir(configHome);
  const program = await installedProgram(home);
  const { calls, runner } = recordingRunner();
  const integration = createOsIntegration({
    platform: 'linux',
    homeDir: home,
    env: { XDG_CONFIG_HOME: configHome, XDG_CONFIG_DIRS: path.join(home, 'etc-xdg') },
    dataDir: path.join(home, 'data'),
    commands: { appCommand: [program], cliCommand: [program, '--cli'] },
    run: runner,
    uid: 1000,
    now: () => now,
    scheduledTimes: () => Promise.resolve([new Date(now + 3_600_000)]),
    ...extra,
  });
  return { home, configHome, program, calls, integration };
}

describe('Linux: the XDG autostart entry', () => {
  it('is a valid desktop entry that starts the app hidden, and off removes exactly it', async () => {
    const { home, configHome, integration } = await linuxSetup();
    const before = await filesUnder(configHome);
    expect(await integration.isStartAtLogin()).toBe(false);

    await integration.setStartAtLogin(true);
    const file = path.join(configHome, 'autostart', 'outbox.desktop');
    await run('desktop-file-validate', [file]);
    expect(await integration.isStartAtLogin()).toBe(true);
    // GLib's launcher (what GNOME's session uses) reads the Exec line back to the same arguments.
    await run('gio', ['launch', file]);
    expect(await argsReceived(home)).toEqual([START_HIDDEN_ARG]);

    await integration.setStartAtLogin(false);
    expect(await integration.isStartAtLogin()).toBe(false);
    expect(await filesUnder(configHome)).toEqual(before);
  });

  it('switches off a system-wide entry of the same name with Hidden=true rather than deleting it', async () => {
    const { home, configHome, integration } = await linuxSetup();
    const systemWide = path.join(home, 'etc-xdg', 'autostart', 'outbox.desktop');
    await fsp.mkdir(path.dirname(systemWide), { recursive: true });
    await fsp.writeFile(systemWide, '[Desktop Entry]\nType=Application\nName=Outbox\nExec=outbox\n');
    expect(await integration.isStartAtLogin()).toBe(true);

    await integration.setStartAtLogin(false);
    const file = path.join(configHome, 'autostart', 'outbox.desktop');
    await run('desktop-file-validate', [file]);
    expect(await fsp.readFile(file, 'utf8')).toMatch(/^Hidden=true$/m);
    expect(await integration.isStartAtLogin()).toBe(false);
    expect(await fsp.readFile(systemWide, 'utf8')).toContain('Exec=outbox');
  });
});

describe('Linux: the systemd user timer', () => {
  it('installs units systemd-analyze verifies, enables them, and off removes exactly them', async () => {
    const { configHome, program, calls, integration } = await linuxSetup();
    const before = await filesUnder(configHome);

    await integration.setDeliveryTimer(true);
    const unitDir = path.join(configHome, 'systemd', 'user');
    const service = path.join(unitDir, 'outbox-deliver.service');
    const timer = path.join(unitDir, 'outbox-deliver.timer');
    // Real systemd: it also checks that the ExecStart program exists and can run.
    await run('systemd-analyze', ['verify', '--man=no', service, timer]);
    expect(await integration.isDeliveryTimer()).toBe(true);
    expect(await fsp.readFile(timer, 'utf8')).toMatch(/^OnCalendar=2026-12-04 10:00:00 UTC$/m);
    const execStart = /^ExecStart=(.*)$/m.exec(await fsp.readFile(service, 'utf8'))?.[1] ?? '';
    // systemd refuses a program path with a quote in it: /usr/bin/env runs it.
    const quoted = [program, '--cli', ...HEADLESS_FLUSH_ARGS].map(
      (arg) => `"${arg.replaceAll('"', '\\"').replaceAll('$', '$$$$').replaceAll('%', '%%')}"`,
    );
    expect(execStart).toBe(['/usr/bin/env', ...quoted].join(' '));
    expect(calls).toEqual([
      ['systemctl', '--user', 'daemon-reload'],
      ['systemctl', '--user', 'enable', '--now', 'outbox-deliver.timer'],
    ]);

    calls.length = 0;
    await integration.setDeliveryTimer(false);
    expect(calls).toEqual([
      ['systemctl', '--user', 'disable', '--now', 'outbox-deliver.timer'],
      ['systemctl', '--user', 'daemon-reload'],
    ]);
    expect(await integration.isDeliveryTimer()).toBe(false);
    expect(await filesUnder(configHome)).toEqual(before);
  });

  it('rewrites the timer with the next scheduled times only while it is on', async () => {
    const { configHome, calls, integration } = await linuxSetup();
    const timer = path.join(configHome, 'systemd', 'user', 'outbox-deliver.timer');
    await integration.refreshDeliveryTimer([new Date(now + 60_000)]);
    expect(calls).toEqual([]);
    await expect(fsp.access(timer)).rejects.toThrow();

    await integration.setDeliveryTimer(true);
    const service = await fsp.readFile(path.join(path.dirname(timer), 'outbox-deliver.service'), 'utf8');
    calls.length = 0;
    // The same times: nothing is written, systemd is not bothered.
    await integration.refreshDeliveryTimer([new Date(now + 3_600_000)]);
    expect(calls).toEqual([]);

    await integration.refreshDeliveryTimer([new Date(now + 120_000), new Date(now - 60_000)]);
    expect(calls).toEqual([
      ['systemctl', '--user', 'daemon-reload'],
      ['systemctl', '--user', 'restart', 'outbox-deliver.timer'],
    ]);
    expect(await fsp.readFile(path.join(path.dirname(timer), 'outbox-deliver.service'), 'utf8')).toBe(
      service,
    );
    const text = await fsp.readFile(timer, 'utf8');
    expect(text.match(/^OnCalendar=.*$/gm)).toEqual([
      'OnCalendar=*:0/5',
      'OnCalendar=2026-12-04 09:02:00 UTC',
    ]);
    await run('systemd-analyze', [
      'verify',
      '--man=no',
      path.join(path.dirname(timer), 'outbox-deliver.service'),
      timer,
    ]);
    expect(calls).toContainEqual(['systemctl', '--user', 'restart', 'outbox-deliver.timer']);
  });

  it('says which command failed, in a sentence, when systemctl refuses', async () => {
    const { runner } = recordingRunner(() => 1);
    const { integration } = await linuxSetup({ run: runner });
    await expect(integration.setDeliveryTimer(true)).rejects.toMatchObject({
      code: 'system_setup_failed',
      message: '"systemctl --user daemon-reload" failed (exit 1).',
    });
  });
});

describe('an install without an outbox command (the AppImage)', () => {
  it('refuses the delivery timer in a sentence and installs nothing, while start at login works', async () => {
    const { configHome, calls, integration } = await linuxSetup({
      commands: { appCommand: [path.join(path.sep, 'tmp', 'Outbox.AppImage')], cliCommand: [] },
    });
    const before = await filesUnder(configHome);
    await expect(integration.setDeliveryTimer(true)).rejects.toMatchObject({
      code: 'system_setup_failed',
      message: expect.stringContaining('AppImage') as unknown,
    });
    expect(await filesUnder(configHome)).toEqual(before);
    expect(calls).toEqual([]);
    await integration.setStartAtLogin(true);
    expect(await integration.isStartAtLogin()).toBe(true);
  });
});

describe('macOS: the launchd agent', () => {
  it('writes a property list launchd reads, loads it in the GUI session, and off unloads and removes it', async () => {
    const home = await awkwardFolder();
    const dataDir = path.join(home, 'Library', 'Application Support', 'Outbox');
    const { calls, runner } = recordingRunner();
    const cli = '/Applications/Outbox.app/Contents/Resources/cli/outbox';
    const options: OsIntegrationOptions = {
      platform: 'darwin',
      homeDir: home,
      env: {},
      dataDir,
      commands: { appCommand: ['/Applications/Outbox.app/Contents/MacOS/Outbox'], cliCommand: [cli] },
      run: runner,
      uid: 501,
      now: () => now,
      scheduledTimes: () => Promise.resolve([new Date(now + 3_600_000)]),
    };
    const integration = createOsIntegration(options);
    await integration.setDeliveryTimer(true);
    const file = path.join(home, 'Library', 'LaunchAgents', 'org.outbox.deliver.plist');
    const agent = plist.parse(await fsp.readFile(file, 'utf8')) as Record<string, unknown>;
    expect(agent).toMatchObject({
      Label: 'org.outbox.deliver',
      ProgramArguments: [cli, ...HEADLESS_FLUSH_ARGS],
      StartInterval: 300,
      RunAtLoad: false,
      StandardOutPath: path.join(dataDir, 'logs', 'deliver.log'),
    });
    expect(agent.StartCalendarInterval).toHaveLength(1);
    expect(calls).toEqual([
      ['launchctl', 'bootout', 'gui/501/org.outbox.deliver'],
      ['launchctl', 'bootstrap', 'gui/501', file],
    ]);
    expect(await integration.isDeliveryTimer()).toBe(true);

    // New times from a process that knows no install commands: the installed program is kept.
    const elsewhere = createOsIntegration({
      ...options,
      commands: { appCommand: [], cliCommand: ['/elsewhere'] },
    });
    calls.length = 0;
    await elsewhere.refreshDeliveryTimer([new Date(now + 7_200_000), new Date(now + 10_800_000)]);
    const refreshed = plist.parse(await fsp.readFile(file, 'utf8')) as Record<string, unknown>;
    expect(refreshed.ProgramArguments).toEqual([cli, ...HEADLESS_FLUSH_ARGS]);
    expect(refreshed.StartCalendarInterval).toHaveLength(2);
    expect(calls).toEqual([
      ['launchctl', 'bootout', 'gui/501/org.outbox.deliver'],
      ['launchctl', 'bootstrap', 'gui/501', file],
    ]);

    calls.length = 0;
    await integration.setDeliveryTimer(false);
    expect(calls).toEqual([['launchctl', 'bootout', 'gui/501/org.outbox.deliver']]);
    expect(await filesUnder(path.join(home, 'Library', 'LaunchAgents'))).toEqual([]);
    expect(await integration.isDeliveryTimer()).toBe(false);
  });
});

describe('Windows: the Task Scheduler task', () => {
  it('registers the task from a UTF-16 XML file it then deletes, and off deletes the task', async () => {
    const dataDir = await awkwardFolder();
    let registered = false;
    let xml = '';
    const { calls, runner } = recordingRunner(async (_program, args) => {
      if (args[0] === '/Create') {
        const bytes = await fsp.readFile(args[4] ?? '');
        xml = bytes.subarray(2).toString('utf16le');
        registered = true;
      }
      if (args[0] === '/Delete') registered = false;
      return args[0] === '/Query' && !registered ? 1 : 0;
    });
    const integration = createOsIntegration({
      platform: 'win32',
      homeDir: dataDir,
      env: {},
      dataDir,
      commands: {
        appCommand: ['Outbox.exe'],
        cliCommand: ['C:\\Programs\\Outbox\\resources\\cli\\outbox.exe'],
      },
      run: runner,
      uid: 0,
      now: () => now,
    });
    expect(await integration.isDeliveryTimer()).toBe(false);
    await integration.setDeliveryTimer(true);
    const file = path.join(dataDir, 'outbox-deliver-task.xml');
    expect(calls).toContainEqual(['schtasks', '/Create', '/TN', 'Outbox\\Deliver', '/XML', file, '/F']);
    const task = new XMLParser().parse(xml) as { Task: { Actions: { Exec: { Command: string } } } };
    expect(task.Task.Actions.Exec.Command).toBe('C:\\Programs\\Outbox\\resources\\cli\\outbox.exe');
    expect(await filesUnder(dataDir)).toEqual([]);
    expect(await integration.isDeliveryTimer()).toBe(true);

    await integration.setDeliveryTimer(false);
    expect(calls.at(-1)).toEqual(['schtasks', '/Delete', '/TN', 'Outbox\\Deliver', '/F']);
    expect(await integration.isDeliveryTimer()).toBe(false);
  });
});

describe('start at login on macOS and Windows', () => {
  it.each(['darwin', 'win32'] as const)(
    '%s: is the login item the shell passes, and refuses without it',
    async (platform) => {
      const base = { platform, homeDir: '/h', env: {}, dataDir: '/d', uid: 0, now: () => now };
      const commands = { appCommand: ['a'], cliCommand: ['c'] };
      const { runner } = recordingRunner();
      const without = createOsIntegration({ ...base, commands, run: runner });
      await expect(without.setStartAtLogin(true)).rejects.toThrow(/the shell must pass loginItem/);

      let on = false;
      const withItem = createOsIntegration({
        ...base,
        commands,
        run: runner,
        loginItem: { set: (value) => void (on = value), get: () => on },
      });
      await withItem.setStartAtLogin(true);
      expect(on).toBe(true);
      expect(await withItem.isStartAtLogin()).toBe(true);
    },
  );
});
