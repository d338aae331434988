import fsp from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * A desktop of its own for Debian's xdg-utils: XDG_CONFIG_HOME and XDG_DATA_HOME in a temporary
 * folder, Outbox's desktop entry (outbox.desktop) installed there beside another mail app that is
 * the default for mailto:, and no desktop environment named (the mimeapps.list every desktop reads).
 */
export interface XdgDesktop {
  /** The environment to run xdg-settings and xdg-mime in. */
  readonly env: NodeJS.ProcessEnv;
  /** $XDG_CONFIG_HOME/mimeapps.list. */
  readonly mimeappsList: string;
  remove(): Promise<void>;
}

export async function makeXdgDesktop(): Promise<XdgDesktop> {
  const scratch = await fsp.mkdtemp(path.join(tmpdir(), 'outbox-xdg-'));
  const config = path.join(scratch, 'config');
  const data = path.join(scratch, 'data');
  const applications = path.join(data, 'applications');
  await fsp.mkdir(applications, { recursive: true });
  await fsp.mkdir(config);
  await fsp.mkdir(path.join(scratch, 'bin'));
  // xdg-settings takes a desktop entry whose program exists.
  for (const name of ['outbox', 'othermail']) {
    const program = path.join(scratch, 'bin', name);
    await fsp.writeFile(program, '#!/bin/sh\n', { mode: 0o755 });
    await fsp.writeFile(
      path.join(applications, `${name}.desktop`),
      `[Desktop Entry]\nType=Application\nName=${name}\nExec=${program} %U\nMimeType=x-scheme-handler/mailto;\n`,
    );
  }
  const mimeappsList = path.join(config, 'mimeapps.list');
  await fsp.writeFile(mimeappsList, '[Default Applications]\nx-scheme-handler/mailto=othermail.desktop\n');
  return {
    env: {
      PATH: process.env.PATH,
      HOME: scratch,
      XDG_CONFIG_HOME: config,
      XDG_DATA_HOME: data,
      XDG_DATA_DIRS: data,
    },
    mimeappsList,
    remove: () => fsp.rm(scratch, { recursive: true, force: true }),
  };
}
