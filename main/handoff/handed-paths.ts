import path from 'node:path';

export type LeftOutReason = 'hidden' | 'system' | 'relative';

export interface ScreenedPaths {
  /** Absolute, `..` resolved, in the platform's form: the paths to open. */
  readonly kept: string[];
  readonly leftOut: { path: string; reason: LeftOutReason }[];
}

/**
 * Folders whose files are the system's configuration or the kernel's view of processes, never a
 * document a person means to mail: /etc (passwd, shadow, ssh host keys, network secrets), /proc
 * and /sys (/proc/self/environ passes for an empty regular file and holds this process's
 * environment), /dev (devices). macOS keeps /etc in /private/etc, its directory services' users and
 * password hashes in /private/var/db, and keychains in Library/Keychains. Windows keeps its
 * registry hives (SAM, SECURITY) under <drive>:\Windows, and `\\.\` and `\\?\` name devices.
 */
const POSIX_SYSTEM = ['/etc', '/proc', '/sys', '/dev'];
const DARWIN_SYSTEM = [...POSIX_SYSTEM, '/private/etc', '/private/var/db', '/system', '/library/keychains'];
const WINDOWS_SYSTEM = /^(?:[a-z]:\\windows(?:\\|$)|\\\\[.?]\\)/i;

/**
 * Windows hides AppData (every program's settings, the browsers' profiles, Credentials) and
 * ProgramData with an attribute rather than a leading dot: they are its dot-folders.
 */
const WINDOWS_HIDDEN = /^(?:appdata|programdata)$/i;

const isUnder = (file: string, folder: string) => file === folder || file.startsWith(`${folder}/`);

/** The rules of one platform, on its own path syntax. */
interface Platform {
  readonly path: path.PlatformPath;
  isSystem(normal: string): boolean;
  isHidden(component: string): boolean;
}

const dotHidden = (component: string) => component.startsWith('.');

const PLATFORMS: Record<'posix' | 'darwin' | 'win32', Platform> = {
  posix: {
    path: path.posix,
    isSystem: (normal) => POSIX_SYSTEM.some((folder) => isUnder(normal, folder)),
    isHidden: dotHidden,
  },
  darwin: {
    path: path.posix,
    // APFS and HFS+ are case-insensitive by default: /ETC is /etc.
    isSystem: (normal) => {
      const lower = normal.toLowerCase();
      return DARWIN_SYSTEM.some((folder) => isUnder(lower, folder)) || lower.includes('/library/keychains/');
    },
    isHidden: dotHidden,
  },
  win32: {
    path: path.win32,
    isSystem: (normal) => WINDOWS_SYSTEM.test(normal),
    isHidden: (component) => dotHidden(component) || WINDOWS_HIDDEN.test(component),
  },
};

function platformOf(name: NodeJS.Platform): Platform {
  if (name === 'win32') return PLATFORMS.win32;
  return name === 'darwin' ? PLATFORMS.darwin : PLATFORMS.posix;
}

/** A Windows path is absolute only with its drive or a UNC share: `\x` is relative to the current drive. */
function isAbsolute(platform: Platform, file: string): boolean {
  if (platform.path === path.win32) return /^(?:[a-z]:[\\/]|[\\/]{2}[^\\/])/i.test(file);
  return path.posix.isAbsolute(file);
}

function reasonFor(platform: Platform, file: string): LeftOutReason | undefined {
  if (!isAbsolute(platform, file)) return 'relative';
  const normal = platform.path.normalize(file);
  if (platform.isSystem(normal)) return 'system';
  const components = normal.split(platform.path.sep).filter((component) => component !== '');
  return components.some((component) => platform.isHidden(component)) ? 'hidden' : undefined;
}

/**
 * Which of the paths another program handed over may be attached without the user adding them
 * by hand (issue 18): not relative ones (relative to what? a launcher's working folder is nobody's
 * choice), nor any with a hidden component after `..` is resolved (`~/.ssh/id_ed25519`,
 * `~/.config/…`, browser profiles: where secrets live, and what "Mailto: Me Your Secrets" went
 * for), nor system configuration. Pure, on the strings alone: a symbolic link is followed, and
 * existence and regular-file checks are made, where the file is opened, which screens the real
 * path again. `platform` chooses the path syntax and folders; it is the running one but in tests.
 */
export function screenHandedPaths(
  paths: readonly string[],
  platform: NodeJS.Platform = process.platform,
): ScreenedPaths {
  const rules = platformOf(platform);
  const screened: ScreenedPaths = { kept: [], leftOut: [] };
  for (const file of paths) {
    const reason = reasonFor(rules, file);
    if (reason === undefined) screened.kept.push(rules.path.normalize(file));
    else screened.leftOut.push({ path: file, reason });
  }
  return screened;
}
