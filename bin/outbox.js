#!/usr/bin/env node
// The `outbox` command. Node 24 runs the TypeScript sources directly (type stripping), so there is
// no build step. An older Node (the system's, when `npm link` put `outbox` on the PATH) hands the
// command to the Node 24 that `npm ci` installed in node_modules; without one it says so in one line.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import process from 'node:process';
import { fileURLToPath, URL } from 'node:url';

const major = Number(process.versions.node.split('.')[0]);
if (major >= 24) {
  const { main } = await import('../main/cli/main.ts');
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
  handOver(local);
}

/** Runs the command on `node` with this process's stdin, stdout, stderr; its exit is ours. */
function handOver(node) {
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
