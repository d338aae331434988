import { constants } from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';

/**
 * "Install Command-Line Tool…" (macOS, as VS Code does): a link on the PATH to the `outbox`
 * executable inside the app (docs/installed-cli.md). What to link where and what to tell the user
 * is decided here; the menu item only asks and shows the answer.
 */

/** Where the link goes: on macOS's default PATH, and where Homebrew on Intel and VS Code link too. */
export const CLI_LINK = '/usr/local/bin/outbox';

/** The executable inside a packaged app, from Electron's `process.resourcesPath`. */
export function cliExecutable(resourcesPath: string, platform: NodeJS.Platform = process.platform): string {
  return path.join(resourcesPath, 'cli', 'bin', platform === 'win32' ? 'outbox.exe' : 'outbox');
}

/** What is at the link's path now. */
export type LinkState =
  | { readonly kind: 'absent' }
  | { readonly kind: 'link'; readonly target: string }
  /** A file or folder that is no link: another program's `outbox`, never replaced. */
  | { readonly kind: 'other' };

export type CliInstallPlan =
  | { readonly action: 'nothing'; readonly message: string }
  | { readonly action: 'refuse'; readonly message: string }
  | {
      readonly action: 'link';
      readonly link: string;
      readonly target: string;
      /** Replaces a link to another copy of Outbox: the user confirms first. */
      readonly replaces?: string;
      /** The folder is not the user's to write: ask for an administrator's password. */
      readonly asAdmin: boolean;
      readonly message: string;
    };

/** The decision, from what is there and whether the user may write the link's folder. */
export function planCliInstall(
  link: string,
  target: string,
  state: LinkState,
  folderWritable: boolean,
): CliInstallPlan {
  const done = `The "outbox" command is installed: ${link} runs ${target}.`;
  switch (state.kind) {
    case 'other':
      return {
        action: 'refuse',
        message: `${link} is already there and is not a link to Outbox; remove it first, or run ${target} by its full path.`,
      };
    case 'link':
      if (path.resolve(path.dirname(link), state.target) === target)
        return { action: 'nothing', message: done };
      return {
        action: 'link',
        link,
        target,
        replaces: state.target,
        asAdmin: !folderWritable,
        message: `${link} now runs ${target} instead of ${state.target}.`,
      };
    case 'absent':
      return { action: 'link', link, target, asAdmin: !folderWritable, message: done };
  }
}

/** Reads what is at `link` and whether its folder (or the nearest existing parent) is writable. */
export async function inspectLink(link: string): Promise<{ state: LinkState; folderWritable: boolean }> {
  let state: LinkState;
  try {
    state = { kind: 'link', target: await fsp.readlink(link) };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    state = code === 'ENOENT' ? { kind: 'absent' } : { kind: 'other' };
  }
  let folder = path.dirname(link);
  // /usr/local/bin does not exist on a fresh Mac: then /usr/local (or /usr) decides.
  while ((await fsp.stat(folder).catch(() => undefined)) === undefined && path.dirname(folder) !== folder)
    folder = path.dirname(folder);
  const folderWritable = await fsp.access(folder, constants.W_OK).then(
    () => true,
    () => false,
  );
  return { state, folderWritable };
}

/** Makes the link as the user: the folder first, then the link, replacing an old link atomically. */
export async function linkAsUser(link: string, target: string): Promise<void> {
  await fsp.mkdir(path.dirname(link), { recursive: true });
  const temporary = `${link}.outbox-${process.pid}`;
  await fsp.rm(temporary, { force: true });
  await fsp.symlink(target, temporary);
  await fsp.rename(temporary, link);
}

/** A string as one single-quoted POSIX shell word. */
export function shellWord(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/**
 * The osascript arguments that make the link with an administrator's password (macOS shows its own
 * prompt). The shell command is an AppleScript string: backslashes and double quotes escaped.
 */
export function adminLinkScript(link: string, target: string): string[] {
  const command = `mkdir -p ${shellWord(path.dirname(link))} && ln -sfn ${shellWord(target)} ${shellWord(link)}`;
  const appleString = `"${command.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
  return ['-e', `do shell script ${appleString} with administrator privileges`];
}
