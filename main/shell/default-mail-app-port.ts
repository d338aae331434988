import { app, shell } from 'electron';
import {
  NO_DEFAULT_MAIL_APP,
  protocolClientMailApp,
  settingsPageMailApp,
  xdgDefaultMailApp,
  type DefaultMailAppPort,
} from '../desktop/default-mail-app.ts';

/** "Make Outbox the default mail app" as this OS allows (main/desktop/default-mail-app.ts). */
export function electronDefaultMailApp(): DefaultMailAppPort {
  if (process.platform === 'darwin') return protocolClientMailApp(app);
  if (process.platform === 'win32')
    return settingsPageMailApp(
      () => app.isDefaultProtocolClient('mailto'),
      () => shell.openExternal('ms-settings:defaultapps'),
    );
  // xdg-utils: Linux and the BSDs' desktops alike.
  if (process.platform === 'linux' || process.platform.endsWith('bsd')) return xdgDefaultMailApp();
  return NO_DEFAULT_MAIL_APP;
}
