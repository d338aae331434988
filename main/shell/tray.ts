import path from 'node:path';
import { Menu, nativeImage, Tray, type MenuItemConstructorOptions } from 'electron';
import type { TrayCommand, TrayIcon, TrayMenuItem, TrayView } from '../desktop/tray-status.ts';

/**
 * The tray / menu bar icon, drawn from tray-status.ts's view. Rebuilt only when the view changed:
 * Linux needs setContextMenu again for any change, and a burst of queue events changes little.
 */
export class AppTray {
  private tray: Tray | undefined;
  private shown = '';
  private readonly iconDir: string;
  private readonly run: (command: TrayCommand) => void;

  /** `iconDir`: build/tray (in the source tree) or resources/tray (packaged). */
  constructor(iconDir: string, run: (command: TrayCommand) => void) {
    this.iconDir = iconDir;
    this.run = run;
  }

  show(view: TrayView): void {
    const key = JSON.stringify(view);
    if (this.tray && key === this.shown) return;
    this.shown = key;
    const image = this.image(view.icon);
    if (this.tray) this.tray.setImage(image);
    else this.tray = this.create(image);
    this.tray.setToolTip(view.tooltip);
    this.tray.setContextMenu(Menu.buildFromTemplate(view.menu.map((item) => this.menuItem(item))));
  }

  hide(): void {
    this.tray?.destroy();
    this.tray = undefined;
    this.shown = '';
  }

  get visible(): boolean {
    return this.tray !== undefined;
  }

  private create(image: Electron.NativeImage): Tray {
    const tray = new Tray(image);
    // Windows users click the icon to get the window back; elsewhere a click opens the menu.
    if (process.platform === 'win32') {
      tray.on('click', () => {
        this.run('open');
      });
    }
    return tray;
  }

  /** macOS: a template image (named …Template), recoloured for the menu bar; @2x is found beside it. */
  private image(icon: TrayIcon) {
    const name = process.platform === 'darwin' ? `${icon}Template.png` : `${icon}.png`;
    return nativeImage.createFromPath(path.join(this.iconDir, name));
  }

  private menuItem(item: TrayMenuItem): MenuItemConstructorOptions {
    switch (item.kind) {
      case 'separator':
        return { type: 'separator' };
      case 'status':
        return { label: item.label, enabled: false };
      case 'command':
        return {
          label: item.label,
          enabled: item.enabled,
          click: () => {
            this.run(item.command);
          },
        };
    }
  }
}
