import type { CallHandlers } from '../ipc/ipc-router.ts';
import type { AppSettings } from '../../preload/contract/settings.ts';

/** The settings service, or one that has the OS apply some values first (main/desktop/desktop-settings.ts). */
interface SettingsAccess {
  get(): AppSettings;
  update(patch: Partial<AppSettings>): AppSettings | Promise<AppSettings>;
}

export function createSettingsHandlers(
  settings: SettingsAccess,
): Pick<CallHandlers, 'settings:get' | 'settings:update'> {
  return {
    'settings:get': () => settings.get(),
    'settings:update': (patch) => settings.update(patch),
  };
}
