import { describe, expect, it } from 'vitest';
import { BIN, homeWithIdleAccount, NODE, runProgram } from './run-cli.ts';

/**
 * Node 24 made to report itself as 20, as the system's Node does when `npm link` puts `outbox` on
 * the PATH (README promises Node 20 is enough): bin/outbox.js sees an old Node and hands over.
 */
const AS_NODE_20 = 'data:text/javascript,Object.defineProperty(process.versions,"node",{value:"20.19.0"})';

const home = homeWithIdleAccount();

const onOldNode = (args: readonly string[], input = '') =>
  runProgram(NODE, ['--import', AS_NODE_20, BIN, ...args], { ...process.env, OUTBOX_HOME: home() }, input);

describe('outbox on a Node older than 24', () => {
  it('runs the command on the Node 24 that npm ci installed, with stdin, stdout and exit status', async () => {
    const queued = await onOldNode(['sendmail', 'ann@example.net'], 'Subject: from Node 20\n\nHello.\n');
    expect(queued.stderr).toBe('');
    expect(queued.code).toBe(0);
    const listed = await onOldNode(['queue', 'list']);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/\tann@example\.net\tfrom Node 20\n$/);
    const missing = await onOldNode(['queue', 'show', 'no-such-id']);
    expect(missing.code).toBe(66);
    expect(missing.stderr).toMatch(/^outbox: .+\n$/);
  }, 60_000);
});
