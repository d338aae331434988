import { appSettings, type AppSettings } from '../../preload/contract/settings.ts';
import { AppError } from '../errors/app-error.ts';
import type { AppSettingsService } from '../settings/app-settings.ts';
import type { OsIntegration } from './os-integration.ts';

/** The settings whose value lives in the OS as well as in the settings file, and how each is applied. */
const APPLIED_BY_OS = [
  {
    key: 'startAtLogin',
    apply: (os: OsIntegration, on: boolean) => os.setStartAtLogin(on),
    words: (on: boolean) => (on ? 'start at login' : 'stop starting at login'),
  },
  {
    key: 'deliverWhileClosed',
    apply: (os: OsIntegration, on: boolean) => os.setDeliveryTimer(on),
    words: (on: boolean) => (on ? 'deliver while it is closed' : 'stop delivering while it is closed'),
  },
] as const satisfies readonly {
  key: keyof AppSettings;
  apply: (os: OsIntegration, on: boolean) => Promise<void>;
  words: (on: boolean) => string;
}[];

/** What the settings handlers change settings through: the OS may have to take a value first. */
export interface SettingsEditor {
  get(): AppSettings;
  update(patch: Partial<AppSettings>): Promise<AppSettings>;
}

/**
 * The settings with start at login and delivery while closed applied through the OS first: a value
 * is saved only once the OS took it, so the file never claims what the system does not do. When the
 * OS refuses, what it did take in the same patch is kept and the refusal reaches the user.
 */
export function withOsIntegration(settings: AppSettingsService, os: OsIntegration): SettingsEditor {
  return {
    get: () => settings.get(),
    async update(patch) {
      const current = settings.get();
      // The whole patch is checked before the OS is asked to do anything.
      appSettings.parse({ ...current, ...patch });
      const applied: Partial<AppSettings> = { ...patch };
      for (const [index, { key, apply, words }] of APPLIED_BY_OS.entries()) {
        const wanted = patch[key];
        // Applied even when the file already says so: the OS may have lost it (an entry removed by hand).
        if (wanted === undefined) continue;
        try {
          await apply(os, wanted);
        } catch (error) {
          // This one and those not tried yet keep what they were; the rest of the patch stands.
          for (const later of APPLIED_BY_OS.slice(index)) applied[later.key] = current[later.key];
          settings.update(applied);
          throw new AppError(
            'system_setup_failed',
            `Your system did not let Outbox ${words(wanted)}: ${reason(error)}`,
            { field: key, cause: error },
          );
        }
      }
      return settings.update(applied);
    },
  };
}

/** The OS's own words, one line: an AppError's sentence, or the first line of anything else. */
function reason(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return (text.split('\n')[0] ?? '').replace(/\.$/, '') + '.';
}
