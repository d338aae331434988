import { app, Menu, shell, type MenuItemConstructorOptions } from 'electron';
import type { EventPayload } from '../../preload/contract/channels.ts';
import { installCommandLineTool } from './cli-install-menu.ts';

type Command = EventPayload<'app:menuInvoked'>['command'];

const HELP_URL = 'https://github.com/outbox-mail/outbox#readme';

/** Native menus with the platform's standard roles and shortcuts; our own items go to the renderer. */
export function installMenu(invoke: (command: Command) => void): void {
  const item = (label: string, accelerator: string, command: Command): MenuItemConstructorOptions => ({
    label,
    accelerator,
    click: () => {
      invoke(command);
    },
  });
  const isMac = process.platform === 'darwin';
  const template: MenuItemConstructorOptions[] = [
    ...(isMac ? [macAppMenu()] : []),
    {
      label: '&File',
      submenu: [
        item('New Message', 'CmdOrCtrl+N', 'compose'),
        { type: 'separator' },
        item('Settings…', 'CmdOrCtrl+,', 'settings'),
        { type: 'separator' },
        isMac ? { role: 'close' } : { role: 'quit' },
      ],
    },
    { role: 'editMenu' },
    {
      label: '&View',
      submenu: [
        item('Compose', 'CmdOrCtrl+1', 'compose'),
        item('Outbox', 'CmdOrCtrl+2', 'outbox'),
        item('Sent', 'CmdOrCtrl+3', 'sent'),
        item('Accounts', 'CmdOrCtrl+4', 'accounts'),
        { type: 'separator' },
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
        ...(app.isPackaged ? [] : [{ role: 'toggleDevTools' as const }]),
      ],
    },
    { role: 'windowMenu' },
    {
      role: 'help',
      submenu: [{ label: 'Outbox Help', click: () => void shell.openExternal(HELP_URL) }],
    },
  ];
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}

/** The standard macOS app menu, with Install Command-Line Tool… (packaged only: it links the app's own copy). */
function macAppMenu(): MenuItemConstructorOptions {
  const cliItem: MenuItemConstructorOptions[] = app.isPackaged
    ? [
        { label: 'Install Command-Line Tool…', click: () => void installCommandLineTool() },
        { type: 'separator' },
      ]
    : [];
  return {
    role: 'appMenu',
    submenu: [
      { role: 'about' },
      { type: 'separator' },
      ...cliItem,
      { role: 'services' },
      { type: 'separator' },
      { role: 'hide' },
      { role: 'hideOthers' },
      { role: 'unhide' },
      { type: 'separator' },
      { role: 'quit' },
    ],
  };
}
