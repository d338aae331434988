import os from 'node:os';
import path from 'node:path';

/**
 * V8's compile cache (Node >= 22.1) keeps what it compiled for the next run, in this user's cache
 * folder: not a shared temporary one, where another user could leave a cache for us to load. Each
 * command's chunk is loaded after this, so it is compiled once, not at every run (issue 17). A
 * folder that cannot be written only means no cache. Not in the installed executable: what the
 * cache holds would run as that signed program, and any program of the user's can write it
 * (docs/installed-cli.md).
 */
export function enableCompileCache(): void {
  if (process.getBuiltinModule('node:sea').isSea()) return;
  const { env } = process;
  const base =
    process.platform === 'win32'
      ? env.LOCALAPPDATA || path.join(os.homedir(), 'AppData', 'Local')
      : process.platform === 'darwin'
        ? path.join(os.homedir(), 'Library', 'Caches')
        : env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  try {
    process.getBuiltinModule('node:module').enableCompileCache(path.join(base, 'outbox', 'compile-cache'));
  } catch {
    // No cache this time; the command runs the same.
  }
}
