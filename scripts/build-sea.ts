// The `outbox` command of an installed app (issue 18; why this way: docs/installed-cli.md). A Node
// single executable application (SEA): Node 24 from node_modules, injected with postject with a
// small CommonJS launcher (main/cli/sea-entry.ts; Node 24's SEA runs no ES module) that loads the
// CLI's split ES modules, built as for out/cli/, from beside the executable. It needs no Node.js on
// the machine and no Electron: the app's fuses stay locked (runAsNode: false).
//
//   node scripts/build-sea.ts [--if-stale]
//
// writes out/sea/cli/, which electron-builder copies to <resources>/cli/:
//   bin/outbox[.exe]        the executable, for this machine's platform and architecture
//   lib/outbox/             the CLI's ES modules (scripts/cli-bundle.ts)
//   build/oauth-clients.json, build/ispdb/   what the CLI reads "two folders above its modules"
// The keychain binding (@napi-rs/keyring, native) is not inside: the executable loads it from the
// packaged app's <resources>/app.asar.unpacked/node_modules/ (electron-builder.yml asarUnpack).
// --if-stale rebuilds only when a source, this script or the Node binary changed since the last build.
import { execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { build, type Plugin } from 'vite';
import { bundleSources } from './bundle-sources.ts';
import { buildCliBundle } from './cli-bundle.ts';

const root = path.resolve(import.meta.dirname, '..');
const outDir = path.join(root, 'out', 'sea');
const cliDir = path.join(outDir, 'cli');
const exe = process.platform === 'win32' ? 'outbox.exe' : 'outbox';
const executable = path.join(cliDir, 'bin', exe);
/** Two folders below cliDir, so the modules find build/ two folders above them, as out/cli/'s do. */
const modulesDir = path.join(cliDir, 'lib', 'outbox');
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
 * The keychain binding, from the packaged app's unpacked folder beside the executable's own
 * (<resources>/cli/bin/ → <resources>/app.asar.unpacked/node_modules/), and only when a command
 * first uses it: `--help` and `sendmail` never load the native library. A SEA's own `require`
 * reaches only Node's builtins; a file needs createRequire.
 */
const keyringFromUnpackedApp: Plugin = {
  name: 'outbox:keyring-from-unpacked-app',
  enforce: 'pre',
  resolveId: (id) => (id === KEYRING ? KEYRING_SHIM : null),
  load(id) {
    if (id !== KEYRING_SHIM) return null;
    return `import { createRequire } from 'node:module';
import path from 'node:path';
let binding;
function load() {
  const unpacked = path.join(path.dirname(process.execPath), '..', '..', 'app.asar.unpacked', 'node_modules', 'outbox.js');
  return (binding ??= createRequire(unpacked)(${JSON.stringify(KEYRING)}));
}
export class AsyncEntry {
  constructor(...args) {
    return new (load().AsyncEntry)(...args);
  }
}
`;
  },
};

/** Every file the last build was made from, with the script and the Node binary. */
function inputsOf(sources: readonly string[]): string[] {
  return [...sources.map((source) => path.join(root, source)), import.meta.filename, nodeBinary];
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

/** The CLI's modules, and the launcher in one CommonJS file (a SEA runs no other file itself). */
async function bundle(): Promise<string[]> {
  const modules = await buildCliBundle({ outDir: modulesDir, plugins: [keyringFromUnpackedApp] });
  const launcher = await build({
    root,
    configFile: false,
    logLevel: 'warn',
    ssr: { noExternal: true },
    build: {
      outDir,
      // The modules are in there already.
      emptyOutDir: false,
      target: 'node24',
      minify: false,
      sourcemap: false,
      ssr: true,
      rollupOptions: {
        input: { outbox: path.join(root, 'main', 'cli', 'sea-entry.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs', codeSplitting: false },
        // Reading a constant's field has no effect: exit-codes.ts's unused tables leave nothing.
        treeshake: { propertyReadSideEffects: false },
      },
    },
  });
  return [...new Set([...modules, ...bundleSources(launcher, root)])].sort();
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
      // No useCodeCache: the launcher is a few lines, and its import() would not work with one.
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
