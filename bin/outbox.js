#!/usr/bin/env node
// The `outbox` command. Node 24 runs the TypeScript sources directly (type stripping), so there is
// no build step; older versions cannot, and are told so in one line.
import process from 'node:process';

const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  process.stderr.write(`outbox: Node.js 24 or newer is required (this is ${process.version})\n`);
  process.exit(78);
}
const { main } = await import('../main/cli/main.ts');
await main();
