import { XMLParser, XMLValidator } from 'fast-xml-parser';
import plist from 'plist';
import { describe, expect, it } from 'vitest';
import { desktopExec, systemdExec, windowsArguments } from '../../../main/desktop/command-quoting.ts';
import { packagedInstallCommands } from '../../../main/desktop/install-commands.ts';
import {
  autostartEnabled,
  autostartEntry,
  HEADLESS_FLUSH_ARGS,
  installedAgent,
  launchdAgent,
  MAX_SCHEDULED_TRIGGERS,
  START_HIDDEN_ARG,
  scheduledSendTimes,
  systemdTimer,
  upcomingTriggers,
  windowsTask,
  windowsTaskFileBytes,
  xdgConfigHome,
} from '../../../main/desktop/os-files.ts';

const now = Date.parse('2026-12-04T09:00:00Z');
const commands = { appCommand: ['/opt/Outbox/outbox'], cliCommand: ['/usr/bin/outbox'] };

describe('command lines in each file syntax', () => {
  it.each([
    [['/usr/bin/outbox', '--hidden'], '/usr/bin/outbox --hidden'],
    [['/opt/My Apps/outbox'], '"/opt/My Apps/outbox"'],
    // Quoted: `"` `$` escaped inside, then every backslash doubled by the string rule.
    [['/a/b', 'say "hi" $HOME'], '/a/b "say \\\\"hi\\\\" \\\\$HOME"'],
    [['/a/b', 'c:\\x'], '/a/b "c:\\\\\\\\x"'],
    [['/a/b', '50%'], '/a/b 50%%'],
    // GLib would look for "/a%%b" as the program: env is given the path instead.
    [['/a%b'], '/usr/bin/env /a%%b'],
    [['/a/b', "it's"], '/a/b "it\'s"'],
    [['/a/b', ''], '/a/b ""'],
  ])('desktop Exec %j → %s', (args, exec) => {
    expect(desktopExec(args)).toBe(exec);
  });

  it('refuses what no Exec line can carry: a line break, an = in the program', () => {
    expect(() => desktopExec(['/a/b', 'x\ny'])).toThrow(/control character/);
    expect(() => desktopExec(['/a=b'])).toThrow(/desktop entry/);
  });

  it.each([
    [['/usr/bin/outbox', 'queue'], '"/usr/bin/outbox" "queue"'],
    [['/opt/a b/x', 'say "hi"', '$HOME', '5%'], '"/opt/a b/x" "say \\"hi\\"" "$$HOME" "5%%"'],
    [['/x', 'c:\\y'], '"/x" "c:\\\\y"'],
    // No variable is expanded in the program; a quote in its path makes systemd refuse it.
    [['/opt/$x/a', 'b'], '"/opt/$x/a" "b"'],
    [["/opt/it's/a", 'b'], '/usr/bin/env "/opt/it\'s/a" "b"'],
  ])('systemd ExecStart %j → %s', (args, exec) => {
    expect(systemdExec(args)).toBe(exec);
  });

  it('systemd needs an absolute program path', () => {
    expect(() => systemdExec(['outbox'])).toThrow(/absolute/);
  });

  it.each([
    [['queue', 'flush'], 'queue flush'],
    [['C:\\Program Files\\x'], '"C:\\Program Files\\x"'],
    [['a "b"'], '"a \\"b\\""'],
    [['trailing\\ slash\\'], '"trailing\\ slash\\\\"'],
    [[''], '""'],
  ])('Windows arguments %j → %s', (args, line) => {
    expect(windowsArguments(args)).toBe(line);
  });
});

describe('the packaged install commands', () => {
  it.each([
    ['linux deb', 'linux', {}, ['/opt/Outbox/outbox'], ['/usr/bin/outbox']],
    ['linux AppImage', 'linux', { APPIMAGE: '/home/me/Outbox.AppImage' }, ['/home/me/Outbox.AppImage'], []],
  ] as const)('%s', (_name, platform, env, app, cli) => {
    const install = { platform, execPath: '/opt/Outbox/outbox', resourcesPath: '/opt/Outbox/resources', env };
    expect(packagedInstallCommands(install)).toEqual({ appCommand: app, cliCommand: cli });
  });

  it('macOS and Windows run the CLI from the app resources', () => {
    expect(
      packagedInstallCommands({
        platform: 'darwin',
        execPath: '/Applications/Outbox.app/Contents/MacOS/Outbox',
        resourcesPath: '/Applications/Outbox.app/Contents/Resources',
        env: {},
      }).cliCommand,
    ).toEqual(['/Applications/Outbox.app/Contents/Resources/cli/bin/outbox']);
    expect(
      packagedInstallCommands({
        platform: 'win32',
        execPath: 'C:\\Users\\me\\AppData\\Local\\Programs\\Outbox\\Outbox.exe',
        resourcesPath: 'C:\\Users\\me\\AppData\\Local\\Programs\\Outbox\\resources',
        env: {},
      }).cliCommand,
    ).toEqual(['C:\\Users\\me\\AppData\\Local\\Programs\\Outbox\\resources\\cli\\bin\\outbox.exe']);
  });
});

describe('the scheduled times the timer fires at', () => {
  it('keeps future times only, to the second, earliest first, without repeats, bounded', () => {
    const times = [
      new Date(now - 1000),
      new Date(now),
      new Date(now + 1500),
      new Date(now + 1200),
      ...Array.from({ length: 40 }, (_, i) => new Date(now + (40 - i) * 60_000)),
    ];
    const upcoming = upcomingTriggers(times, now);
    expect(upcoming).toHaveLength(MAX_SCHEDULED_TRIGGERS);
    expect(upcoming[0]).toEqual(new Date(now + 2000));
    expect(upcoming[1]).toEqual(new Date(now + 60_000));
    expect(upcoming.map((d) => d.getTime())).toEqual(
      [...upcoming.map((d) => d.getTime())].sort((a, b) => a - b),
    );
  });

  it('are those of the scheduled messages', () => {
    const items = [
      { state: 'scheduled', sendAt: '2026-12-24T07:00:00.000Z' },
      { state: 'held', sendAt: '2026-12-24T08:00:00.000Z' },
      { state: 'queued' },
    ];
    expect(scheduledSendTimes(items)).toEqual([new Date('2026-12-24T07:00:00.000Z')]);
  });

  it('systemd: one OnCalendar a time, in UTC, beside the regular one', () => {
    const timer = systemdTimer([new Date('2026-12-24T07:00:00Z')]);
    expect(timer.match(/^OnCalendar=.*$/gm)).toEqual([
      'OnCalendar=*:0/5',
      'OnCalendar=2026-12-24 07:00:00 UTC',
    ]);
    expect(timer).toMatch(/^Persistent=true$/m);
  });
});

describe('XDG locations and the autostart entry', () => {
  it('honours an absolute XDG_CONFIG_HOME only', () => {
    expect(xdgConfigHome('/home/me', { XDG_CONFIG_HOME: '/cfg' })).toBe('/cfg');
    expect(xdgConfigHome('/home/me', { XDG_CONFIG_HOME: 'relative' })).toBe('/home/me/.config');
    expect(xdgConfigHome('/home/me', {})).toBe('/home/me/.config');
  });

  it('starts the app hidden; reads back on, and off when hidden or disabled in GNOME', () => {
    const entry = autostartEntry(commands);
    expect(entry).toMatch(new RegExp(`^Exec=/opt/Outbox/outbox ${START_HIDDEN_ARG}$`, 'm'));
    expect(entry).toMatch(/^Type=Application$/m);
    expect(autostartEnabled(entry)).toBe(true);
    expect(autostartEnabled(autostartEntry(commands, true))).toBe(false);
    expect(
      autostartEnabled(entry.replace('X-GNOME-Autostart-enabled=true', 'X-GNOME-Autostart-enabled=false')),
    ).toBe(false);
  });
});

describe('the launchd agent', () => {
  it('parses as a property list with the keys and types launchd reads', () => {
    const text = launchdAgent(
      ['/Applications/Out box.app/Contents/Resources/cli/outbox'],
      [new Date('2026-12-24T07:00:30Z')],
      '/Users/me/Library/Application Support/Outbox/logs/deliver.log',
      (time) => ({
        Month: time.getUTCMonth() + 1,
        Day: time.getUTCDate(),
        Hour: time.getUTCHours(),
        Minute: time.getUTCMinutes(),
      }),
    );
    const agent = plist.parse(text) as Record<string, unknown>;
    expect(agent).toEqual({
      Label: 'org.outbox.deliver',
      ProgramArguments: ['/Applications/Out box.app/Contents/Resources/cli/outbox', ...HEADLESS_FLUSH_ARGS],
      StartInterval: 300,
      StartCalendarInterval: [{ Month: 12, Day: 24, Hour: 7, Minute: 0 }],
      RunAtLoad: false,
      ProcessType: 'Background',
      StandardOutPath: '/Users/me/Library/Application Support/Outbox/logs/deliver.log',
      StandardErrorPath: '/Users/me/Library/Application Support/Outbox/logs/deliver.log',
    });
    expect(text).toMatch(/<key>StartInterval<\/key>\s*<integer>300<\/integer>/);
    expect(text).toMatch(/<key>RunAtLoad<\/key>\s*<false\/>/);
  });

  it('is read back for new times, its command and log kept', () => {
    const text = launchdAgent(['/Apps/Out box/outbox', '--cli'], [], '/logs/deliver.log');
    expect(installedAgent(text)).toEqual({
      program: ['/Apps/Out box/outbox', '--cli'],
      logFile: '/logs/deliver.log',
    });
    expect(() => installedAgent(plist.build({ Label: 'x' }))).toThrow(/not one Outbox wrote/);
  });

  it('rounds a send time up to launchd minute', () => {
    const text = launchdAgent(commands.cliCommand, [new Date(2026, 11, 24, 8, 0, 30)], '/l');
    const agent = plist.parse(text) as { StartCalendarInterval: unknown };
    expect(agent.StartCalendarInterval).toEqual([{ Month: 12, Day: 24, Hour: 8, Minute: 1 }]);
  });
});

describe('the Task Scheduler task', () => {
  const task = windowsTask(
    { appCommand: ['x'], cliCommand: ['C:\\Users\\A & B\\Programs\\Outbox\\resources\\cli\\outbox.exe'] },
    [new Date('2026-12-24T07:00:00Z')],
    new Date(now),
  );

  it('is well-formed, in the task namespace, with the schema elements in order', () => {
    // Its successor, fast-xml-validator, is not a dependency; fast-xml-parser 5 still ships this one.
    // eslint-disable-next-line @typescript-eslint/no-deprecated
    expect(XMLValidator.validate(task)).toBe(true);
    const ordered = new XMLParser({ preserveOrder: true, ignoreAttributes: false }).parse(task) as Record<
      string,
      unknown
    >[];
    const root = ordered.find((node) => 'Task' in node) as { Task: Record<string, unknown>[]; ':@': object };
    expect(root[':@']).toEqual({
      '@_version': '1.2',
      '@_xmlns': 'http://schemas.microsoft.com/windows/2004/02/mit/task',
    });
    expect(root.Task.map((node) => Object.keys(node)[0])).toEqual([
      'RegistrationInfo',
      'Triggers',
      'Principals',
      'Settings',
      'Actions',
    ]);
  });

  it('repeats every few minutes, fires at scheduled times, runs as the user with least privilege', () => {
    const { Task } = new XMLParser({ ignoreAttributes: false, parseTagValue: false }).parse(task) as {
      Task: {
        Triggers: { TimeTrigger: { StartBoundary: string; Repetition?: { Interval: string } }[] };
        Principals: { Principal: { LogonType: string; RunLevel: string; '@_id': string } };
        Settings: Record<string, string>;
        Actions: { '@_Context': string; Exec: { Command: string; Arguments: string } };
      };
    };
    const [regular, scheduled] = Task.Triggers.TimeTrigger;
    expect(regular?.Repetition?.Interval).toBe('PT5M');
    expect(regular?.StartBoundary).toBe('2026-12-04T09:00:00Z');
    expect(scheduled).toEqual({ StartBoundary: '2026-12-24T07:00:00Z', Enabled: 'true' });
    expect(Task.Principals.Principal).toEqual({
      '@_id': 'Author',
      LogonType: 'InteractiveToken',
      RunLevel: 'LeastPrivilege',
    });
    expect(Task.Actions['@_Context']).toBe('Author');
    expect(Task.Settings).toMatchObject({
      StartWhenAvailable: 'true',
      DisallowStartIfOnBatteries: 'false',
      MultipleInstancesPolicy: 'IgnoreNew',
    });
    expect(Task.Actions.Exec).toEqual({
      Command: 'C:\\Users\\A & B\\Programs\\Outbox\\resources\\cli\\outbox.exe',
      Arguments: HEADLESS_FLUSH_ARGS.join(' '),
    });
  });

  it('is written as UTF-16 with its byte order mark, as its declaration says', () => {
    const bytes = windowsTaskFileBytes(task);
    expect([...bytes.subarray(0, 2)]).toEqual([0xff, 0xfe]);
    expect(bytes.subarray(2).toString('utf16le')).toBe(task);
    expect(task.startsWith('<?xml version="1.0" encoding="UTF-16"?>')).toBe(true);
  });
});
