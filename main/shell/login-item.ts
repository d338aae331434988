import { app } from 'electron';
import { HIDDEN_ARG, loginItemSettings } from '../desktop/background-policy.ts';

/**
 * Start at login on macOS and Windows, where Electron's login item does it (Linux has the XDG
 * autostart entry, written by main/desktop's OS integration). The shape is the OS integration's
 * LoginItemPort.
 */
export const electronLoginItem = {
  set(on: boolean): void {
    app.setLoginItemSettings(loginItemSettings(on));
    // macOS 13+ may want the user's approval first (System Settings › General › Login Items).
    const now = app.getLoginItemSettings({ args: [HIDDEN_ARG] });
    if (on && process.platform === 'darwin' && now.status === 'requires-approval') {
      throw new Error('Approve Outbox in System Settings › General › Login Items');
    }
    if (now.openAtLogin !== on) {
      throw new Error(on ? 'The login item was not added' : 'The login item was not removed');
    }
  },
  get(): boolean {
    // Windows reports openAtLogin only for the arguments it was set with.
    return app.getLoginItemSettings({ args: [HIDDEN_ARG] }).openAtLogin;
  },
};

/** macOS says a login item started us; Windows and Linux pass HIDDEN_ARG instead. */
export function openedAtLogin(): boolean {
  return process.platform === 'darwin' && app.getLoginItemSettings().wasOpenedAtLogin;
}
