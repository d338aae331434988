// `npm run build` (after electron-vite): the `outbox` command as compiled JavaScript, out/cli/.
// An installed copy then never strips TypeScript types at run time (~400 ms a run, issue 17).
// bin/outbox.js runs out/cli/outbox.mjs when it is there, else the sources.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { build, type Rolldown } from 'vite';

const root = path.resolve(import.meta.dirname, '..');

const result = await build({
  root,
  configFile: false,
  logLevel: 'warn',
  ssr: { noExternal: true, external: ['@napi-rs/keyring'] },
  build: {
    // Two folders above the chunks, as above out/main/index.js: main/ finds build/ from there.
    outDir: path.join(root, 'out', 'cli'),
    emptyOutDir: true,
    target: 'node24',
    minify: false,
    sourcemap: false,
    // A server (Node) build: node:* and the dependencies stay imports, resolved from node_modules
    // at run time, as an npm install lays them out; the native keyring could not be bundled anyway.
    ssr: true,
    rollupOptions: {
      input: { outbox: path.join(root, 'main', 'cli', 'main.ts') },
      output: {
        format: 'es',
        entryFileNames: '[name].mjs',
        // One chunk per lazily imported command (and what they share), so `--help` stays small.
        chunkFileNames: '[name]-[hash].mjs',
      },
    },
  },
});

// The sources the bundle was built from, for bin/outbox.js: in a checkout, a source edited since
// the build means the bundle is stale and the sources run instead.
const outputs = (Array.isArray(result) ? result : [result]) as Rolldown.RolldownOutput[];
const sources = outputs
  .flatMap((output) => output.output)
  .flatMap((item) => (item.type === 'chunk' ? item.moduleIds : []))
  .filter((id) => id.startsWith(root + path.sep) && !id.includes(`${path.sep}node_modules${path.sep}`))
  .map((id) => path.relative(root, id).split(path.sep).join('/'))
  .sort();
await writeFile(path.join(root, 'out', 'cli', 'sources.json'), `${JSON.stringify(sources)}\n`);
