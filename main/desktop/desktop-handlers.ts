import type { CallHandlers } from '../ipc/ipc-router.ts';
import type { DefaultMailAppPort } from './default-mail-app.ts';

export function createDesktopHandlers(
  mailApp: DefaultMailAppPort,
): Pick<CallHandlers, 'desktop:defaultMailApp' | 'desktop:makeDefaultMailApp'> {
  return {
    'desktop:defaultMailApp': () => mailApp.status(),
    'desktop:makeDefaultMailApp': async () => {
      await mailApp.makeDefault();
      return mailApp.status();
    },
  };
}
