import { appSettings, type AppSettings } from '../../preload/contract/settings.ts';
import type { SettingsStore } from '../core/ports.ts';

const KEY = 'app';

export interface AppSettingsService {
  get(): AppSettings;
  update(patch: Partial<AppSettings>): AppSettings;
  onChanged(listener: (settings: AppSettings) => void): () => void;
}

/** App-wide settings under one key of the settings file; unknown or invalid values fall back to defaults. */
export function createAppSettings(store: SettingsStore): AppSettingsService {
  const listeners = new Set<(settings: AppSettings) => void>();
  const read = (): AppSettings => {
    const parsed = appSettings.safeParse(store.get(KEY) ?? {});
    return parsed.success ? parsed.data : appSettings.parse({});
  };
  return {
    get: read,
    update(patch) {
      const next = appSettings.parse({ ...read(), ...patch });
      store.set(KEY, next);
      for (const listener of listeners) listener(next);
      return next;
    },
    onChanged(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
