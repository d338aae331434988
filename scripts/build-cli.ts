// `npm run build` (after electron-vite): the `outbox` command as compiled JavaScript, out/cli/.
// An installed copy then never strips TypeScript types at run time (~400 ms a run, issue 17).
// bin/outbox.js runs out/cli/outbox.mjs when it is there, else the sources.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { build, type Plugin } from 'vite';
import { bundleSources } from './bundle-sources.ts';

const root = path.resolve(import.meta.dirname, '..');
const BUILTIN = '\0builtin:';

/** JavaScript's reserved words, which cannot name a binding (`export const { … }`). */
const RESERVED = new Set(
  (
    'await break case catch class const continue debugger default delete do else enum export extends ' +
    'false finally for function if implements import in instanceof interface let new null package ' +
    'private protected public return static super switch this throw true try typeof var void while with yield'
  ).split(' '),
);

function bindable(name: string): boolean {
  return /^[A-Za-z_$][\w$]*$/.test(name) && !RESERVED.has(name);
}

/**
 * Node's builtins through process.getBuiltinModule instead of `import`: an ESM import of a builtin
 * builds a facade that reads every export, getters included, and node:http's WebSocket getter loads
 * undici (~50 ms a run, for a class Outbox never uses). Only plain values are exported here.
 */
const builtinsWithoutFacade: Plugin = {
  name: 'outbox:builtins-without-facade',
  enforce: 'pre',
  resolveId(id) {
    // node:module stays an import: the bundler's own runtime takes createRequire from it.
    return id.startsWith('node:') && id !== 'node:module' ? BUILTIN + id : null;
  },
  load(id) {
    if (!id.startsWith(BUILTIN)) return null;
    const name = id.slice(BUILTIN.length);
    const exports = Object.entries(Object.getOwnPropertyDescriptors(process.getBuiltinModule(name)))
      .filter(([key, descriptor]) => 'value' in descriptor && bindable(key))
      .map(([key]) => key);
    const module = `const builtin = process.getBuiltinModule(${JSON.stringify(name)});\nexport default builtin;\n`;
    return exports.length === 0 ? module : `${module}export const { ${exports.join(', ')} } = builtin;\n`;
  },
};

const result = await build({
  root,
  configFile: false,
  logLevel: 'warn',
  plugins: [builtinsWithoutFacade],
  ssr: { noExternal: true, external: ['@napi-rs/keyring'] },
  build: {
    // Two folders above the chunks, as above out/main/index.js: main/ finds build/ from there.
    outDir: path.join(root, 'out', 'cli'),
    emptyOutDir: true,
    target: 'node24',
    // Less JavaScript to read on every run, compile cache or not (issue 17): sendmail's chunks go
    // from 0.42 to 0.21 MB (`queue list`'s 0.95 to 0.51). Names are kept, as classes' and functions' `name`.
    minify: true,
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
        keepNames: true,
      },
    },
  },
});

// The sources the bundle was built from, for bin/outbox.js: in a checkout, a source edited since
// the build means the bundle is stale and the sources run instead.
const sources = bundleSources(result, root);
await writeFile(path.join(root, 'out', 'cli', 'sources.json'), `${JSON.stringify(sources)}\n`);
