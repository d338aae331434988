import fsp from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DESKTOP_FILE, xdgDefaultMailApp } from '../../../main/desktop/default-mail-app.ts';
import { createDesktopHandlers } from '../../../main/desktop/desktop-handlers.ts';
import { makeXdgDesktop, type XdgDesktop } from '../../support/xdg-desktop.ts';

let desktop: XdgDesktop;
beforeAll(async () => {
  desktop = await makeXdgDesktop();
});
afterAll(async () => {
  await desktop.remove();
});

describe('Outbox as the default mail app on Linux (Debian xdg-utils)', () => {
  it('says it is not, becomes it, and then says it is', async () => {
    const handlers = createDesktopHandlers(xdgDefaultMailApp(desktop.env));
    expect(await handlers['desktop:defaultMailApp'](undefined)).toEqual({ isDefault: false, canSet: true });

    expect(await handlers['desktop:makeDefaultMailApp'](undefined)).toEqual({
      isDefault: true,
      canSet: true,
    });

    expect(await handlers['desktop:defaultMailApp'](undefined)).toEqual({ isDefault: true, canSet: true });
    expect(await fsp.readFile(desktop.mimeappsList, 'utf8')).toContain(
      `x-scheme-handler/mailto=${DESKTOP_FILE}`,
    );
  });
});
