#!/usr/bin/env node
// The `outbox` command. It runs the compiled bundle, out/cli/outbox.mjs (`npm run build`; what an
// npm-installed copy ships), else the TypeScript sources, which Node 24 runs directly (type
// stripping), so a checkout works before any build. In a checkout, a source edited since the
// build makes the bundle stale: the sources run instead. An older Node (the system's, when
// `npm link` put `outbox` on the PATH) hands the command to the Node 24 that `npm ci` installed in
// node_modules; without one it says so in one line.
//
// Node's builtins through process.getBuiltinModule, not `import`: an ESM import of node:fs or
// node:process builds a facade that reads every export, getters included (~5 MB and a few ms a
// run, issue 17; scripts/cli-bundle.ts does the same for the bundle).
// A Node older than 22.3 has no getBuiltinModule: it imports them, to say it is too old.
/* global process, URL */
const builtin = async (name) => process.getBuiltinModule?.(name) ?? (await import(name)).default;
const { existsSync, readFileSync, statSync } = await builtin('node:fs');
const os = await builtin('node:os');
const path = await builtin('node:path');
const { fileURLToPath } = await builtin('node:url');

const major = Number(process.versions.node.split('.')[0]);
if (major >= 24) {
  // main() turns V8's compile cache on before it loads the command (main/cli/compile-cache.ts).
  const { main } = await import(freshBundle() ? '../out/cli/outbox.mjs' : '../main/cli/main.ts');
  await main();
} else {
  const local = ['../node_modules/node/bin/node', '../node_modules/node/bin/node.exe']
    .map((candidate) => fileURLToPath(new URL(candidate, import.meta.url)))
    .find((candidate) => existsSync(candidate));
  if (local === undefined) {
    process.stderr.write(
      `outbox: Node.js 24 or newer is required (this is ${process.version}); run "npm ci" in the checkout\n`,
    );
    process.exit(78);
  }
  await handOver(local);
}

/** Runs the command on `node` with this process's stdin, stdout, stderr; its exit is ours. */
async function handOver(node) {
  // Loaded here: only the hand-over needs it, and every other run would pay for it.
  const { spawn } = await import('node:child_process');
  const child = spawn(node, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
  const forwarded = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const signal of forwarded) process.on(signal, () => child.kill(signal));
  child.on('error', (error) => {
    process.stderr.write(`outbox: cannot start ${node}: ${error.message}\n`);
    process.exit(78);
  });
  child.on('exit', (code, signal) => {
    if (signal === null) process.exit(code ?? 70);
    // Ended by a signal: so do we, so that the caller sees the same.
    for (const forwardedSignal of forwarded) process.removeAllListeners(forwardedSignal);
    process.kill(process.pid, signal);
    process.exit(128 + (os.constants.signals[signal] ?? 0));
  });
}

/**
 * Whether out/cli/outbox.mjs is there and no source it was built from (out/cli/sources.json, from
 * scripts/build-cli.ts) changed since. An installed copy has no sources: its bundle is always used.
 */
function freshBundle() {
  const root = fileURLToPath(new URL('..', import.meta.url));
  // An installed copy has no sources: nothing to compare.
  if (!existsSync(path.join(root, 'main', 'cli', 'main.ts')))
    return existsSync(path.join(root, 'out', 'cli', 'outbox.mjs'));
  let builtAt;
  let sources;
  try {
    builtAt = statSync(path.join(root, 'out', 'cli', 'outbox.mjs')).mtimeMs;
    sources = JSON.parse(readFileSync(path.join(root, 'out', 'cli', 'sources.json'), 'utf8'));
  } catch {
    return false;
  }
  // root + source, not path.join: ~190 sources are checked on every run, and join's normalising
  // was most of this check's time (issue 17); root ends in a separator, sources are relative.
  return sources.every(
    (source) => (statSync(root + source, { throwIfNoEntry: false })?.mtimeMs ?? 0) <= builtAt,
  );
}
