import { START_HIDDEN_ARG } from './os-files.ts';

/**
 * The argument a login item starts Outbox with: no window, only the tray (issue 18 §2). One value
 * for the XDG autostart entry (os-files.ts) and Electron's login item.
 */
export const HIDDEN_ARG = START_HIDDEN_ARG;

export type Platform = 'darwin' | 'win32' | 'linux' | (string & {});

/**
 * The last window closed: stay (in the tray, delivering) or quit. On macOS an app stays running
 * with its windows closed whatever the setting, as the platform's own apps do.
 */
export function whenAllWindowsClosed(platform: Platform, keepRunningInBackground: boolean): 'stay' | 'quit' {
  return keepRunningInBackground || platform === 'darwin' ? 'stay' : 'quit';
}

/**
 * Whether this start shows no window: started at login with the hidden argument (XDG autostart,
 * the Windows login item), or by macOS's login item, which passes no argument (`wasOpenedAtLogin`).
 */
export function startsHidden(argv: readonly string[], openedAtLogin = false): boolean {
  return openedAtLogin || argv.includes(HIDDEN_ARG);
}

/**
 * Whether the tray icon is there: whenever Outbox runs without its window by choice, and always
 * when started hidden, or there would be no way back to it.
 */
export function showsTray(keepRunningInBackground: boolean, startedHidden: boolean): boolean {
  return keepRunningInBackground || startedHidden;
}

/**
 * What Electron's `app.setLoginItemSettings` is given on macOS and Windows: the argument is what
 * Windows starts us with (macOS ignores it and says `wasOpenedAtLogin` instead).
 */
export function loginItemSettings(openAtLogin: boolean): { openAtLogin: boolean; args: string[] } {
  return { openAtLogin, args: [HIDDEN_ARG] };
}
