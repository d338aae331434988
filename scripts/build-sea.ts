// The `outbox` command of an installed app (issue 18; why this way: docs/installed-cli.md). A Node
// single executable application (SEA): Node 24 from node_modules with the CLI bundled into one
// CommonJS file (Node 24's SEA runs no ES module) and injected with postject. It needs no Node.js
// on the machine and no Electron: the app's fuses stay locked (runAsNode: false).
//
//   node scripts/build-sea.ts [--if-stale]
//
// writes out/sea/cli/, which electron-builder copies to <resources>/cli/:
//   bin/outbox[.exe]        the executable, for this machine's platform and architecture
//   build/oauth-clients.json, build/ispdb/   what the CLI reads "two folders above its modules"
// The keychain binding (@napi-rs/keyring, native) is not inside: the executable loads it from the
// packaged app's <resources>/app.asar.unpacked/node_modules/ (electron-builder.yml asarUnpack).
// --if-stale rebuilds only when a source, this script or the Node binary changed since the last build.
import { execFileSync } from 'node:child_process';
import {
  copyFileSync,
  cpSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { build, type Plugin } from 'vite';
import { bundleSources } from './bundle-sources.ts';
import { builtinsWithoutFacade } from './cli-bundle.ts';

const root = path.resolve(import.meta.dirname, '..');
const outDir = path.join(root, 'out', 'sea');
const cliDir = path.join(outDir, 'cli');
const exe = process.platform === 'win32' ? 'outbox.exe' : 'outbox';
const executable = path.join(cliDir, 'bin', exe);
const sourcesFile = path.join(outDir, 'sources.json');
const nodeBinary = path.join(
  root,
  'node_modules',
  'node',
  'bin',
  process.platform === 'win32' ? 'node.exe' : 'node',
);
/** Node's documented sentinel: postject flips it so the binary knows it carries a blob. */
const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';
const KEYRING = '@napi-rs/keyring';
const KEYRING_SHIM = '\0outbox:keyring';

/**
 * The keychain binding's native library for this platform, as electron-builder unpacks it under
 * <resources>/app.asar.unpacked/: npm installed only the platform package that matches this
 * machine, and its `main` is the `.node` file.
 */
function keyringLibrary(): string {
  const scope = path.join(root, 'node_modules', '@napi-rs');
  const [platformPackage, ...others] = readdirSync(scope).filter((name) => name.startsWith('keyring-'));
  if (platformPackage === undefined || others.length > 0) {
    throw new Error(`expected one platform package of ${KEYRING} in ${scope}`);
  }
  const { main } = JSON.parse(readFileSync(path.join(scope, platformPackage, 'package.json'), 'utf8')) as {
    main: string;
  };
  if (!main.endsWith('.node')) throw new Error(`${platformPackage}'s main is not a native library: ${main}`);
  return ['node_modules', '@napi-rs', platformPackage, main].join('/');
}

/**
 * The keychain binding, from the packaged app's unpacked folder beside the executable's own
 * (<resources>/cli/bin/ → <resources>/app.asar.unpacked/), and only when a command first uses it:
 * `--help` and `sendmail` never load it. Its native library alone, with process.dlopen: no
 * JavaScript is read from outside the executable (the package's loader would be, and it obeys
 * NAPI_RS_NATIVE_LIBRARY_PATH), and macOS checks the library's signature (library validation).
 */
function keyringFromUnpackedApp(library: string): Plugin {
  return {
    name: 'outbox:keyring-from-unpacked-app',
    enforce: 'pre',
    resolveId: (id) => (id === KEYRING ? KEYRING_SHIM : null),
    load(id) {
      if (id !== KEYRING_SHIM) return null;
      return `import path from 'node:path';
let binding;
function load() {
  if (binding) return binding;
  const file = path.join(path.dirname(process.execPath), '..', '..', 'app.asar.unpacked', ...${JSON.stringify(library.split('/'))});
  const loaded = { exports: {} };
  process.dlopen(loaded, file);
  return (binding = loaded.exports);
}
export class AsyncEntry {
  constructor(...args) {
    return new (load().AsyncEntry)(...args);
  }
}
`;
    },
  };
}

/** Every file the last build was made from, with the script and the Node binary. */
function inputsOf(sources: readonly string[]): string[] {
  // These scripts decide what goes into the executable, as much as the sources: this one, the one
  // that lists the sources and the one whose plugin reads Node's builtins.
  const scripts = ['bundle-sources.ts', 'cli-bundle.ts'].map((name) => path.join(import.meta.dirname, name));
  scripts.push(import.meta.filename);
  return [...sources.map((source) => path.join(root, source)), ...scripts, nodeBinary];
}

function isFresh(): boolean {
  let builtAt: number;
  let sources: string[];
  try {
    builtAt = statSync(executable).mtimeMs;
    sources = JSON.parse(readFileSync(sourcesFile, 'utf8')) as string[];
  } catch {
    return false;
  }
  return inputsOf(sources).every(
    (file) => (statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? Infinity) <= builtAt,
  );
}

/** The CLI in one CommonJS file: every lazily imported command inlined (a SEA has no other file). */
async function bundle(): Promise<string[]> {
  const result = await build({
    root,
    configFile: false,
    logLevel: 'warn',
    plugins: [keyringFromUnpackedApp(keyringLibrary()), builtinsWithoutFacade],
    // The tree's files sit two folders above the modules (cli-core.ts, ispdb.ts): in the executable,
    // its modules "live" in <cli>/bin/sea/, so the tree's build/ is <cli>/build/.
    define: {
      'import.meta.dirname':
        'require("node:path").join(require("node:path").dirname(process.execPath), "sea")',
    },
    ssr: { noExternal: true },
    build: {
      outDir,
      emptyOutDir: true,
      target: 'node24',
      minify: false,
      sourcemap: false,
      ssr: true,
      rollupOptions: {
        input: { outbox: path.join(root, 'main', 'cli', 'sea-entry.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs', codeSplitting: false },
      },
    },
  });
  return bundleSources(result, root);
}

function inject(): void {
  const blob = path.join(outDir, 'outbox.blob');
  const config = path.join(outDir, 'sea-config.json');
  writeFileSync(
    config,
    JSON.stringify({
      main: path.join(outDir, 'outbox.cjs'),
      output: blob,
      disableExperimentalSEAWarning: true,
      // As the locked fuses do for the app: NODE_OPTIONS (--require, --inspect…) is ignored.
      execArgvExtension: 'none',
      // Compiled once here instead of at every run; the bundle has no import() (which it would break).
      useCodeCache: true,
    }),
  );
  execFileSync(nodeBinary, ['--experimental-sea-config', config], { stdio: ['ignore', 'ignore', 'inherit'] });
  mkdirSync(path.dirname(executable), { recursive: true });
  copyFileSync(nodeBinary, executable);
  // Node's own signature would no longer match once the blob is in: removed, and the packaging
  // step signs the result with the app's identity (docs/installed-cli.md).
  if (process.platform === 'darwin') execFileSync('codesign', ['--remove-signature', executable]);
  const postject = path.join(root, 'node_modules', 'postject', 'dist', 'cli.js');
  const args = [postject, executable, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', SEA_FUSE];
  if (process.platform === 'darwin') args.push('--macho-segment-name', 'NODE_SEA');
  execFileSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'] });
}

/** What the CLI reads from the tree's build/ folder, laid out as the executable looks for it. */
function copyTreeFiles(): void {
  const build = path.join(cliDir, 'build');
  mkdirSync(path.join(build, 'ispdb'), { recursive: true });
  copyFileSync(path.join(root, 'build', 'oauth-clients.json'), path.join(build, 'oauth-clients.json'));
  for (const file of ['ispdb.json', 'LICENSE', 'README.md'])
    cpSync(path.join(root, 'build', 'ispdb', file), path.join(build, 'ispdb', file));
}

if (process.argv.includes('--if-stale') && isFresh()) process.exit(0);
rmSync(outDir, { recursive: true, force: true });
const sources = await bundle();
inject();
copyTreeFiles();
rmSync(path.join(outDir, 'outbox.blob'));
// Written last: an interrupted build leaves no record, so the next --if-stale builds again.
writeFileSync(sourcesFile, `${JSON.stringify(sources)}\n`);
