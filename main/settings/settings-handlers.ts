import type { CallHandlers } from '../ipc/ipc-router.ts';
import type { AppSettingsService } from './app-settings.ts';

export function createSettingsHandlers(
  settings: AppSettingsService,
): Pick<CallHandlers, 'settings:get' | 'settings:update'> {
  return {
    'settings:get': () => settings.get(),
    'settings:update': (patch) => settings.update(patch),
  };
}
