// The `outbox` command as split ES modules: what `npm run build` writes to out/cli/ (an npm install
// and a checkout run it through bin/outbox.js) and what the installed executable loads from
// <resources>/cli/lib/outbox/ (scripts/build-sea.ts). One build, so both run the same code.
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
 * undici (~50 ms a run, for a class Outbox never uses). Only plain values are exported here, and
 * each is read only if some module imports it: a read can load modules of Node's own (node:util's
 * `diff` and `setTraceSigInt` load worker_threads and more, ~4.5 ms a run), so every export is
 * a pure read the bundler drops when nothing imports it.
 */
export const builtinsWithoutFacade: Plugin = {
  name: 'outbox:builtins-without-facade',
  enforce: 'pre',
  resolveId(id, _importer, options) {
    // A dependency's require() keeps Node's own: it gets the builtin itself (a class, getters and
    // all), where this module offers only its plain values.
    if ((options as { kind?: string }).kind === 'require-call') return null;
    // node:module stays an import: the bundler's own runtime takes createRequire from it.
    return id.startsWith('node:') && id !== 'node:module' ? BUILTIN + id : null;
  },
  load(id) {
    if (!id.startsWith(BUILTIN)) return null;
    const name = id.slice(BUILTIN.length);
    const functions = LOADED_AT_FIRST_CALL.get(name);
    if (functions) return loadedAtFirstCall(name, functions);
    const exports = Object.entries(Object.getOwnPropertyDescriptors(process.getBuiltinModule(name)))
      .filter(([key, descriptor]) => 'value' in descriptor && bindable(key))
      .map(([key]) => key);
    // $$: no builtin exports a name that starts so (node:fs has a `read`).
    const reads = exports.map(
      (key) => `export const ${key} = /* @__PURE__ */ $$read(${JSON.stringify(key)});\n`,
    );
    return `const $$builtin = process.getBuiltinModule(${JSON.stringify(name)});\nexport default $$builtin;\nconst $$read = (key) => $$builtin[key];\n${reads.join('')}`;
  },
};

/**
 * Builtins that cost a command that never calls them: node:crypto takes ~11 ms and ~2 MB to load
 * (measured here), and the modules every command shares (atomic files, the queue store) import it
 * for writing, which `--help` and `queue list` never do. By name, the functions the CLI's code
 * imports: each becomes a wrapper that loads the builtin at its first call (or `new`). Only plain
 * calls and `new` pass through one: not `instanceof`, static methods or util.promisify's custom
 * form, so each name is one checked here. Importing any other name is a build error.
 */
const LOADED_AT_FIRST_CALL: ReadonlyMap<string, readonly string[]> = new Map([
  [
    'node:crypto',
    [
      'createHash',
      'createHmac',
      'createPrivateKey',
      'createPublicKey',
      // Only constructed (tls-diagnosis.ts), never tested with instanceof.
      'X509Certificate',
    ],
  ],
]);

/** The wrappers for `name`'s listed functions, and a default export that reads through to it. */
function loadedAtFirstCall(name: string, functions: readonly string[]): string {
  const wrappers = functions.map(
    (key) =>
      `export function ${key}(...args) {\n  const real = builtin().${key};\n  return new.target ? new real(...args) : real(...args);\n}\n`,
  );
  // The default export (nodemailer's `import crypto from 'node:crypto'`) reads through to it.
  const module = `const reading = { get: (_, key) => builtin()[key], has: (_, key) => key in builtin() };\nexport default new Proxy({}, reading);\n`;
  return `let loaded;\nconst builtin = () => (loaded ??= process.getBuiltinModule(${JSON.stringify(name)}));\n${module}${wrappers.join('')}`;
}

export interface CliBundleOptions {
  /** Where the chunks go; the tree's build/ folder is looked for two folders above them. */
  readonly outDir: string;
  /** How `@napi-rs/keyring` (native, never bundled) is found: left an import unless a plugin says. */
  readonly plugins?: readonly Plugin[];
}

/**
 * Bundles main/cli/main.ts with every dependency but the keychain binding into `outDir`, one chunk
 * per lazily imported command (and what they share), so `--help` and `sendmail` load only theirs.
 * Returns the checkout's files it was built from.
 */
export async function buildCliBundle({ outDir, plugins = [] }: CliBundleOptions): Promise<string[]> {
  const result = await build({
    root,
    configFile: false,
    logLevel: 'warn',
    plugins: [...plugins, builtinsWithoutFacade],
    ssr: { noExternal: true, external: ['@napi-rs/keyring'] },
    build: {
      outDir,
      emptyOutDir: true,
      target: 'node24',
      // Less JavaScript to read on every run, compile cache or not (issue 17): sendmail's chunks go
      // from 0.42 to 0.21 MB (`queue list`'s 0.95 to 0.51). Names are kept, as classes' and functions' `name`.
      minify: true,
      sourcemap: false,
      // A server (Node) build: node:* stay imports (see builtinsWithoutFacade); dependencies are
      // bundled, the native keyring could not be.
      ssr: true,
      rollupOptions: {
        input: { outbox: path.join(root, 'main', 'cli', 'main.ts') },
        output: {
          format: 'es',
          entryFileNames: '[name].mjs',
          chunkFileNames: '[name]-[hash].mjs',
          keepNames: true,
        },
      },
    },
  });
  return bundleSources(result, root);
}
