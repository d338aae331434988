import { BrowserWindow } from 'electron';
import type { SettingsStore } from '../core/ports.ts';
import { rememberBounds, restoreBounds } from './window-state.ts';

export function createMainWindow(options: {
  preload: string;
  url: string;
  store: SettingsStore;
}): BrowserWindow {
  const { maximized, ...bounds } = restoreBounds(options.store);
  const window = new BrowserWindow({
    ...bounds,
    minWidth: 640,
    minHeight: 480,
    title: 'Outbox',
    show: false,
    backgroundColor: '#00000000',
    webPreferences: {
      preload: options.preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: true,
    },
  });
  rememberBounds(window, options.store);
  window.once('ready-to-show', () => {
    if (maximized) window.maximize();
    window.show();
  });
  void window.loadURL(options.url);
  return window;
}
