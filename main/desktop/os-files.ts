import path from 'node:path';
import plist from 'plist';
import { desktopExec, systemdExec, windowsArguments } from './command-quoting.ts';

/**
 * Every file an operating system reads to start Outbox at login or to deliver while it is not
 * running, with the paths and commands of a packaged install (docs/desktop-integration.md). Pure:
 * installing them is os-integration-files.ts's job.
 */

/** How to start the installed app and the installed `outbox` command, program first. */
export interface InstallCommands {
  readonly appCommand: readonly string[];
  /** Empty where the install has no `outbox` command (an AppImage): no delivery timer then. */
  readonly cliCommand: readonly string[];
}

/** The argument that starts the app with no window, in the tray (the shell reads it). */
export const START_HIDDEN_ARG = '--hidden';

/** How often the timer runs a flush, whatever is scheduled. */
export const DELIVERY_INTERVAL_MINUTES = 5;

/**
 * What the timer runs: the same `queue flush` as a user's, bounded so one run ends before the next
 * starts (a run that finds the lock taken exits 75 at once anyway).
 */
export const HEADLESS_FLUSH_ARGS = [
  'queue',
  'flush',
  '--timeout',
  String(DELIVERY_INTERVAL_MINUTES * 60 - 60),
];

/**
 * The timer also fires at this many upcoming scheduled sends; the flush at each one rewrites the
 * timer with the next ones. Windows refuses a task with more than 48 triggers.
 */
export const MAX_SCHEDULED_TRIGGERS = 16;

export const AUTOSTART_FILE = 'outbox.desktop';
export const SYSTEMD_SERVICE = 'outbox-deliver.service';
export const SYSTEMD_TIMER = 'outbox-deliver.timer';
export const LAUNCHD_LABEL = 'org.outbox.deliver';
export const WINDOWS_TASK_NAME = 'Outbox\\Deliver';

/**
 * The times the timer should also fire at: future ones only, to the second, earliest first, at
 * most MAX_SCHEDULED_TRIGGERS. A time within the second now is left to the regular runs.
 */
export function upcomingTriggers(times: Iterable<Date>, now: number): Date[] {
  const seconds = new Set<number>();
  for (const time of times) {
    const second = Math.ceil(time.getTime() / 1000);
    if (Number.isFinite(second) && second * 1000 > now) seconds.add(second);
  }
  return [...seconds]
    .sort((a, b) => a - b)
    .slice(0, MAX_SCHEDULED_TRIGGERS)
    .map((second) => new Date(second * 1000));
}

/** `$XDG_CONFIG_HOME` when it is an absolute path (the spec says to ignore a relative one), else ~/.config. */
export function xdgConfigHome(homeDir: string, env: Readonly<Record<string, string | undefined>>): string {
  const configured = env.XDG_CONFIG_HOME;
  return configured && path.isAbsolute(configured) ? configured : path.join(homeDir, '.config');
}

/**
 * The XDG autostart entry (Desktop Application Autostart spec; Desktop Entry spec). `hidden`
 * writes the entry that switches off a system-wide entry of the same name (`Hidden=true`).
 */
export function autostartEntry(commands: InstallCommands, hidden = false): string {
  const lines = [
    '[Desktop Entry]',
    'Type=Application',
    'Version=1.0',
    'Name=Outbox',
    'Comment=Deliver queued and scheduled mail from the tray',
    `Exec=${desktopExec([...commands.appCommand, START_HIDDEN_ARG])}`,
    'Terminal=false',
    'NoDisplay=true',
    `X-GNOME-Autostart-enabled=${hidden ? 'false' : 'true'}`,
  ];
  if (hidden) lines.push('Hidden=true');
  return `${lines.join('\n')}\n`;
}

/** The keys of a desktop entry's [Desktop Entry] group, as written (enough to read ours back). */
export function desktopEntryKeys(text: string): Map<string, string> {
  const keys = new Map<string, string>();
  let inGroup = false;
  for (const line of text.split('\n')) {
    if (line.startsWith('[')) inGroup = line.trim() === '[Desktop Entry]';
    else if (inGroup && !line.startsWith('#') && line.includes('=')) {
      const at = line.indexOf('=');
      keys.set(line.slice(0, at).trim(), line.slice(at + 1).trim());
    }
  }
  return keys;
}

/** An autostart entry that starts something: not hidden, not switched off in GNOME. */
export function autostartEnabled(text: string): boolean {
  const keys = desktopEntryKeys(text);
  return keys.get('Hidden') !== 'true' && keys.get('X-GNOME-Autostart-enabled') !== 'false';
}

/** systemd's calendar syntax for one moment, in UTC so the machine's time zone does not matter. */
function systemdCalendar(time: Date): string {
  return `${time.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** The oneshot service the timer starts: one headless flush. */
export function systemdService(commands: InstallCommands): string {
  return [
    '[Unit]',
    'Description=Outbox: deliver queued and scheduled mail',
    '',
    '[Service]',
    'Type=oneshot',
    `ExecStart=${systemdExec([...commands.cliCommand, ...HEADLESS_FLUSH_ARGS])}`,
    // 75 is "try again later" (offline, another process delivers): the next run does; not a failure.
    'SuccessExitStatus=75',
    `TimeoutStartSec=${DELIVERY_INTERVAL_MINUTES * 60}`,
    'Nice=10',
    '',
  ].join('\n');
}

/**
 * The timer: every few minutes on the wall clock and at each upcoming scheduled send.
 * Persistent=true runs a flush at login when a time passed while the machine was off or asleep.
 */
export function systemdTimer(scheduled: readonly Date[]): string {
  return [
    '[Unit]',
    'Description=Outbox: deliver mail every few minutes and at scheduled times',
    '',
    '[Timer]',
    `OnCalendar=*:0/${DELIVERY_INTERVAL_MINUTES}`,
    ...scheduled.map((time) => `OnCalendar=${systemdCalendar(time)}`),
    'Persistent=true',
    // The default (a minute) would send a scheduled message up to a minute late.
    'AccuracySec=1s',
    `Unit=${SYSTEMD_SERVICE}`,
    '',
    '[Install]',
    'WantedBy=timers.target',
    '',
  ].join('\n');
}

/** A moment as launchd's calendar fields, in the machine's time zone (launchd's). */
export interface LocalMinute {
  readonly Month: number;
  readonly Day: number;
  readonly Hour: number;
  readonly Minute: number;
}

/** launchd fires at the start of a minute: a send at 08:00:30 is rounded up to 08:01. */
export function localMinute(time: Date): LocalMinute {
  const up = new Date(Math.ceil(time.getTime() / 60_000) * 60_000);
  return { Month: up.getMonth() + 1, Day: up.getDate(), Hour: up.getHours(), Minute: up.getMinutes() };
}

/**
 * The launchd agent (launchd.plist(5)). StartCalendarInterval has no year: a date left in after its
 * send would fire again a year later, which the next flush's rewrite prevents.
 */
export function launchdAgent(
  cliCommand: readonly string[],
  scheduled: readonly Date[],
  logFile: string,
  toLocal: (time: Date) => LocalMinute = localMinute,
): string {
  return plist.build({
    Label: LAUNCHD_LABEL,
    ProgramArguments: [...cliCommand, ...HEADLESS_FLUSH_ARGS],
    StartInterval: DELIVERY_INTERVAL_MINUTES * 60,
    ...(scheduled.length > 0
      ? { StartCalendarInterval: scheduled.map((time) => ({ ...toLocal(time) })) }
      : {}),
    RunAtLoad: false,
    ProcessType: 'Background',
    StandardOutPath: logFile,
    StandardErrorPath: logFile,
  });
}

/** What an installed agent runs and where it logs, to write it again with other times. */
export function installedAgent(text: string): { program: string[]; logFile: string } {
  const agent = plist.parse(text) as { ProgramArguments?: unknown; StandardOutPath?: unknown };
  const args = agent.ProgramArguments;
  if (
    !Array.isArray(args) ||
    !args.every((arg) => typeof arg === 'string') ||
    typeof agent.StandardOutPath !== 'string'
  ) {
    throw new Error('The installed launchd agent is not one Outbox wrote.');
  }
  return { program: args.slice(0, args.length - HEADLESS_FLUSH_ARGS.length), logFile: agent.StandardOutPath };
}

/** When the scheduled messages among `items` are to go, for refreshDeliveryTimer. */
export function scheduledSendTimes(
  items: Iterable<{ readonly state: string; readonly sendAt?: string | undefined }>,
): Date[] {
  const times: Date[] = [];
  for (const item of items) if (item.state === 'scheduled' && item.sendAt) times.push(new Date(item.sendAt));
  return times;
}

const escapeXml = (text: string) =>
  text.replace(
    /[<>&"']/g,
    (c) => `&${{ '<': 'lt', '>': 'gt', '&': 'amp', '"': 'quot', "'": 'apos' }[c] ?? ''};`,
  );

/** Task Scheduler's dateTime, to the second; a Z marks UTC. */
const taskTime = (time: Date) => `${time.toISOString().slice(0, 19)}Z`;

/**
 * The Task Scheduler task (schema http://schemas.microsoft.com/windows/2004/02/mit/task, version
 * 1.2: Windows 7 on). Runs as the user who registers it, only while they are logged on (the
 * keychain is theirs), with the least privilege; a missed run starts when the machine is back.
 */
export function windowsTask(commands: InstallCommands, scheduled: readonly Date[], now: Date): string {
  const [program = '', ...programArgs] = commands.cliCommand;
  const triggers = [
    '    <TimeTrigger>',
    '      <Repetition>',
    `        <Interval>PT${DELIVERY_INTERVAL_MINUTES}M</Interval>`,
    '        <StopAtDurationEnd>false</StopAtDurationEnd>',
    '      </Repetition>',
    `      <StartBoundary>${taskTime(now)}</StartBoundary>`,
    '      <Enabled>true</Enabled>',
    '    </TimeTrigger>',
    ...scheduled.flatMap((time) => [
      '    <TimeTrigger>',
      `      <StartBoundary>${taskTime(time)}</StartBoundary>`,
      '      <Enabled>true</Enabled>',
      '    </TimeTrigger>',
    ]),
  ];
  return [
    '<?xml version="1.0" encoding="UTF-16"?>',
    '<Task version="1.2" xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task">',
    '  <RegistrationInfo>',
    '    <Author>Outbox</Author>',
    '    <Description>Delivers queued and scheduled mail while Outbox is not running.</Description>',
    `    <URI>\\${escapeXml(WINDOWS_TASK_NAME)}</URI>`,
    '  </RegistrationInfo>',
    '  <Triggers>',
    ...triggers,
    '  </Triggers>',
    '  <Principals>',
    '    <Principal id="Author">',
    '      <LogonType>InteractiveToken</LogonType>',
    '      <RunLevel>LeastPrivilege</RunLevel>',
    '    </Principal>',
    '  </Principals>',
    '  <Settings>',
    '    <MultipleInstancesPolicy>IgnoreNew</MultipleInstancesPolicy>',
    '    <DisallowStartIfOnBatteries>false</DisallowStartIfOnBatteries>',
    '    <StopIfGoingOnBatteries>false</StopIfGoingOnBatteries>',
    '    <StartWhenAvailable>true</StartWhenAvailable>',
    '    <Enabled>true</Enabled>',
    '    <Hidden>true</Hidden>',
    `    <ExecutionTimeLimit>PT${DELIVERY_INTERVAL_MINUTES}M</ExecutionTimeLimit>`,
    '  </Settings>',
    '  <Actions Context="Author">',
    '    <Exec>',
    `      <Command>${escapeXml(program)}</Command>`,
    `      <Arguments>${escapeXml(windowsArguments([...programArgs, ...HEADLESS_FLUSH_ARGS]))}</Arguments>`,
    '    </Exec>',
    '  </Actions>',
    '</Task>',
    '',
  ].join('\r\n');
}

/** schtasks reads a task file reliably only as UTF-16 with its byte order mark. */
export function windowsTaskFileBytes(xml: string): Buffer {
  return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(xml, 'utf16le')]);
}
