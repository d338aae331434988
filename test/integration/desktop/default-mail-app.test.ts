import fsp from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DESKTOP_FILE, xdgDefaultMailApp } from '../../../main/desktop/default-mail-app.ts';
import { createDesktopHandlers } from '../../../main/desktop/desktop-handlers.ts';

/**
 * Debian's xdg-utils on a desktop of its own: XDG_CONFIG_HOME and XDG_DATA_HOME in a temporary
 * folder, Outbox's desktop entry installed there beside another mail app that is the default, and
 * no desktop environment named (the mimeapps.list every desktop reads).
 */
let scratch: string;
let env: NodeJS.ProcessEnv;

async function installApp(applications: string, name: string): Promise<void> {
  const program = path.join(scratch, 'bin', name);
  await fsp.writeFile(program, '#!/bin/sh\n', { mode: 0o755 });
  await fsp.writeFile(
    path.join(applications, `${name}.desktop`),
    `[Desktop Entry]\nType=Application\nName=${name}\nExec=${program} %U\nMimeType=x-scheme-handler/mailto;\n`,
  );
}

beforeAll(async () => {
  scratch = await fsp.mkdtemp(path.join(tmpdir(), 'outbox-xdg-'));
  const config = path.join(scratch, 'config');
  const data = path.join(scratch, 'data');
  const applications = path.join(data, 'applications');
  await fsp.mkdir(applications, { recursive: true });
  await fsp.mkdir(config);
  await fsp.mkdir(path.join(scratch, 'bin'));
  await installApp(applications, 'outbox');
  await installApp(applications, 'othermail');
  await fsp.writeFile(
    path.join(config, 'mimeapps.list'),
    '[Default Applications]\nx-scheme-handler/mailto=othermail.desktop\n',
  );
  env = {
    PATH: process.env.PATH,
    HOME: scratch,
    XDG_CONFIG_HOME: config,
    XDG_DATA_HOME: data,
    XDG_DATA_DIRS: data,
  };
});

afterAll(async () => {
  await fsp.rm(scratch, { recursive: true, force: true });
});

describe('Outbox as the default mail app on Linux (xdg-utils)', () => {
  it('says it is not, becomes it, and then says it is', async () => {
    const handlers = createDesktopHandlers(xdgDefaultMailApp(env));
    expect(await handlers['desktop:defaultMailApp'](undefined)).toEqual({ isDefault: false, canSet: true });

    expect(await handlers['desktop:makeDefaultMailApp'](undefined)).toEqual({
      isDefault: true,
      canSet: true,
    });

    expect(await handlers['desktop:defaultMailApp'](undefined)).toEqual({ isDefault: true, canSet: true });
    const list = await fsp.readFile(path.join(scratch, 'config', 'mimeapps.list'), 'utf8');
    expect(list).toContain(`x-scheme-handler/mailto=${DESKTOP_FILE}`);
  });
});
