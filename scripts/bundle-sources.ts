import path from 'node:path';
import type { Rolldown } from 'vite';

/**
 * The checkout's files a bundle was built from (dependencies left out), relative to `root` with
 * forward slashes: what a launcher or a test compares against the bundle's time to know it stale.
 */
export function bundleSources(result: unknown, root: string): string[] {
  const outputs = (Array.isArray(result) ? result : [result]) as Rolldown.RolldownOutput[];
  return outputs
    .flatMap((output) => output.output)
    .flatMap((item) => (item.type === 'chunk' ? item.moduleIds : []))
    .filter((id) => id.startsWith(root + path.sep) && !id.includes(`${path.sep}node_modules${path.sep}`))
    .map((id) => path.relative(root, id).split(path.sep).join('/'))
    .sort();
}
