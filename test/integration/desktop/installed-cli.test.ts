import { execFile, spawn } from 'node:child_process';
import fsp from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEYCHAIN_SERVICE } from '../../../main/accounts/credentials.ts';
import { NODE, runProgram, type CliResult } from '../cli/run-cli.ts';

const run = promisify(execFile);
const ROOT = path.resolve('.');
const BUILT = path.join(ROOT, 'out', 'sea', 'cli');

/**
 * The `outbox` executable as a packaged app lays it out (docs/installed-cli.md), for this Linux
 * machine: <resources>/cli/ from scripts/build-sea.ts, and the keychain binding in
 * <resources>/app.asar.unpacked/node_modules/, where electron-builder's asarUnpack puts it.
 */
let scratch: string;
let resources: string;
let executable: string;
/** A folder with nothing in it: a PATH on which no program, Node included, can be found. */
let emptyPath: string;

beforeAll(async () => {
  // Built once; later runs reuse it unless a source, the script or Node changed (--if-stale).
  await run(NODE, ['scripts/build-sea.ts', '--if-stale'], { cwd: ROOT });
  scratch = await fsp.mkdtemp(path.join(tmpdir(), 'outbox-sea-'));
  resources = path.join(scratch, 'opt', 'Outbox', 'resources');
  await fsp.cp(BUILT, path.join(resources, 'cli'), { recursive: true });
  const unpacked = path.join(resources, 'app.asar.unpacked', 'node_modules', '@napi-rs');
  await fsp.mkdir(unpacked, { recursive: true });
  for (const name of await fsp.readdir(path.join(ROOT, 'node_modules', '@napi-rs'))) {
    if (name.startsWith('keyring'))
      await fsp.cp(path.join(ROOT, 'node_modules', '@napi-rs', name), path.join(unpacked, name), {
        recursive: true,
      });
  }
  executable = path.join(resources, 'cli', 'bin', 'outbox');
  emptyPath = path.join(scratch, 'empty');
  await fsp.mkdir(emptyPath);
}, 600_000);

afterAll(async () => {
  await fsp.rm(scratch, { recursive: true, force: true });
});

/**
 * Runs the executable as cron does: in a folder of its own, with a bare environment (`env -i`,
 * cron's PATH) and only what is given added.
 */
function runInstalled(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  input = '',
  file = executable,
): Promise<CliResult> {
  return runProgram(file, args, { PATH: '/usr/bin:/bin', ...env }, input, scratch);
}

/** `accounts add` with a password read on stdin, which goes to the keychain. */
const SECRET_ACCOUNT = ['accounts', 'add', '--label', 'Secret', '--from', 'me@example.org'].concat(
  ['--host', '127.0.0.1', '--port', '9', '--security', 'none', '--allow-plaintext', '--user', 'me'],
  ['--password-stdin'],
);

const MESSAGE = 'From: me@example.org\nTo: you@example.net\nSubject: nightly report\n\nAll green.\n';

describe('the installed outbox command', () => {
  it('runs with no Node.js on the PATH', async () => {
    const result = await runInstalled(['--help'], { PATH: emptyPath });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Usage: outbox <command>');
  });

  it('queues from cron (no display, no session bus) and lists what it queued', async () => {
    const home = path.join(scratch, 'cron-home');
    const env = { OUTBOX_HOME: home };
    const added = await runInstalled(
      [
        'accounts',
        'add',
        '--label',
        'Work',
        '--from',
        'me@example.org',
        '--host',
        '127.0.0.1',
        '--port',
        '9',
      ].concat(['--security', 'none', '--allow-plaintext', '--no-password']),
      env,
    );
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);

    const queued = await runInstalled(['sendmail', '-t'], env, MESSAGE);
    expect(queued.stderr).toBe('');
    expect(queued.code).toBe(0);

    const listed = await runInstalled(['queue', 'list', '--json'], env);
    expect(listed.code).toBe(0);
    const { messages } = JSON.parse(listed.stdout) as { messages: { subject: string }[] };
    expect(messages.map((message) => message.subject)).toEqual(['nightly report']);
  });

  it('finds the bundled ISPDB beside itself, through a symbolic link on the PATH', async () => {
    // As /usr/bin/outbox links to it; OUTBOX_DNS_SERVERS: nothing is asked of the network.
    const bin = path.join(scratch, 'usr-bin');
    await fsp.mkdir(bin, { recursive: true });
    await fsp.symlink(executable, path.join(bin, 'outbox'));
    const result = await runInstalled(
      ['accounts', 'discover', 'me@cloudus.xion.oxcs.net'],
      { OUTBOX_HOME: path.join(scratch, 'discover-home'), OUTBOX_DNS_SERVERS: '127.0.0.1:9' },
      '',
      path.join(bin, 'outbox'),
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Thunderbird's ISP database (bundled)");
  });

  it('ignores NODE_OPTIONS, as the locked fuses make the app do', async () => {
    const marker = path.join(scratch, 'injected');
    const script = path.join(scratch, 'inject.cjs');
    await fsp.writeFile(script, `require('node:fs').writeFileSync(${JSON.stringify(marker)}, 'ran');\n`);
    const result = await runInstalled(['--help'], { NODE_OPTIONS: `--require ${script}` });
    expect(result.code).toBe(0);
    await expect(fsp.access(marker)).rejects.toThrow();
  });

  it("loads the keychain binding's library from the app's unpacked folder, and no script, to save a password", async () => {
    // The binding's own loader would load whatever this names; the executable reads no loader.
    const marker = path.join(scratch, 'loaded-instead');
    const script = path.join(scratch, 'instead.cjs');
    await fsp.writeFile(script, `require('node:fs').writeFileSync(${JSON.stringify(marker)}, 'ran');\n`);
    const env = {
      OUTBOX_HOME: path.join(scratch, 'keychain-home'),
      DBUS_SESSION_BUS_ADDRESS: process.env.DBUS_SESSION_BUS_ADDRESS,
      NAPI_RS_NATIVE_LIBRARY_PATH: script,
    };
    const result = await runInstalled(SECRET_ACCOUNT, env, 'hunter2\n');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const id = result.stdout.trim();
    const { stdout } = await run('secret-tool', ['lookup', 'service', KEYCHAIN_SERVICE, 'username', id]);
    expect(stdout).toBe('hunter2');
    await expect(fsp.access(marker)).rejects.toThrow();
  });

  it.each(['--help', 'queue list'])(
    "outbox %s loads none of Node's network or crypto modules: each builtin is read where first needed",
    async (command) => {
      const args = command.split(' ');
      // The executable's script, run by the same Node with a probe: a CommonJS bundle hoisted every
      // require to its top, so every command loaded node:http, node:tls, node:crypto and node:dns.
      // Output to a file: pipes would load node:net.
      const loads = path.join(scratch, `loads-${args.join('-')}.json`);
      const probe = `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(loads)}, JSON.stringify(process.moduleLoadList)));`;
      const probeFile = path.join(scratch, 'probe.cjs');
      await fsp.writeFile(probeFile, probe);
      const output = await fsp.open(path.join(scratch, 'probe-output.txt'), 'w');
      try {
        const script = path.join(ROOT, 'out', 'sea', 'outbox.cjs');
        const child = spawn(NODE, ['--require', probeFile, script, ...args], {
          env: { ...process.env, OUTBOX_HOME: path.join(scratch, 'probe-queue') },
          stdio: ['ignore', output.fd, output.fd],
        });
        expect(await new Promise((resolve) => child.on('exit', resolve))).toBe(0);
      } finally {
        await output.close();
      }
      const loaded = JSON.parse(await fsp.readFile(loads, 'utf8')) as string[];
      expect(loaded.filter((name) => /^NativeModule (net|tls|http|https|dns|crypto)$/.test(name))).toEqual(
        [],
      );
    },
  );

  it("keeps no compiled code in the user's cache folder, where other programs could plant some", async () => {
    const cache = path.join(scratch, 'cache-home');
    const env = { OUTBOX_HOME: path.join(scratch, 'cache-queue'), XDG_CACHE_HOME: cache };
    const listed = await runInstalled(['queue', 'list'], env);
    expect(listed.stderr).toBe('');
    expect(listed.code).toBe(0);
    await expect(fsp.access(path.join(cache, 'outbox'))).rejects.toThrow();
  });

  it('without the unpacked binding, says the keychain refused and saves nothing', async () => {
    // The same executable in a layout with no app.asar.unpacked/: the binding is not inside it.
    const alone = path.join(scratch, 'alone', 'resources', 'cli');
    await fsp.cp(BUILT, alone, { recursive: true });
    const home = path.join(scratch, 'alone-home');
    const env = { OUTBOX_HOME: home, DBUS_SESSION_BUS_ADDRESS: process.env.DBUS_SESSION_BUS_ADDRESS };
    const result = await runInstalled(SECRET_ACCOUNT, env, 'hunter2\n', path.join(alone, 'bin', 'outbox'));
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('keychain');
    const listed = await runInstalled(['accounts', 'list', '--json'], { OUTBOX_HOME: home });
    expect(listed.stdout).not.toContain('Secret');
  });
});
