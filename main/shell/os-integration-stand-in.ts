import type { OsIntegration } from '../desktop/os-integration.ts';
import { AppError } from '../errors/app-error.ts';
import { electronLoginItem } from './login-item.ts';

const unavailable = (what: string) =>
  new AppError('system_setup_failed', `This build of Outbox cannot ${what} on this system yet.`);

/**
 * Until main/desktop's OS integration (the XDG autostart entry, the systemd, launchd and Task
 * Scheduler timers) is joined in: Electron's login item on macOS and Windows, a clear refusal
 * for the rest. The integrator replaces this with createOsIntegration({ loginItem: electronLoginItem, … }).
 */
export function osIntegrationStandIn(platform: NodeJS.Platform = process.platform): OsIntegration {
  const loginItem = platform === 'darwin' || platform === 'win32';
  return {
    setStartAtLogin(on) {
      if (!loginItem) return Promise.reject(unavailable('start at login'));
      electronLoginItem.set(on);
      return Promise.resolve();
    },
    isStartAtLogin: () => Promise.resolve(loginItem && electronLoginItem.get()),
    setDeliveryTimer: (on) =>
      on ? Promise.reject(unavailable('deliver while it is closed')) : Promise.resolve(),
    isDeliveryTimer: () => Promise.resolve(false),
  };
}
