import { app, dialog, net, Notification, shell, type BrowserWindow } from 'electron';
import type { Platform } from '../core/ports.ts';

export function electronPlatform(window: () => BrowserWindow | undefined): Platform {
  return {
    async pickFiles() {
      const options: Electron.OpenDialogOptions = {
        title: 'Attach files',
        properties: ['openFile', 'multiSelections'],
      };
      const target = window();
      const result = target
        ? await dialog.showOpenDialog(target, options)
        : await dialog.showOpenDialog(options);
      return result.canceled ? [] : result.filePaths;
    },
    notify(title, body) {
      if (Notification.isSupported()) new Notification({ title, body, silent: true }).show();
    },
    async openExternal(url) {
      // Only a web page: shell.openExternal would also run file: and custom-scheme handlers.
      const protocol = new URL(url).protocol;
      if (protocol !== 'https:' && protocol !== 'http:')
        throw new Error(`Refusing to open a ${protocol} URL`);
      await shell.openExternal(url, { activate: true });
    },
    isOnline: () => net.isOnline(),
    version: app.getVersion(),
  };
}
